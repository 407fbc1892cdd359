import { readdir, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { readFileBuffer } from '../../src/adapters/files/index.js';
import { parseArtifactIndex } from '../../src/domain/artifactIndex.js';
import { AssembleHarness } from '../support/assembleHarness.js';
import { buildBundle, sha1, type BundleFile } from '../support/bundles.js';
import { WorkerProcess, harnessWorkerEnv } from '../support/workerProcess.js';

function workerEnv(h: AssembleHarness, extra: Record<string, string> = {}) {
  return harnessWorkerEnv(h, { WORKER_CONCURRENCY: '3', WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000', ...extra });
}

describe('concurrency and crash safety with worker processes', () => {
  let h: AssembleHarness;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    h = await AssembleHarness.create({ worker: false });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await h.close();
  }, 60_000);

  it('20 bundles for one release and dist, on two worker processes, lose no index entry', async () => {
    workers.push(WorkerProcess.start(workerEnv(h)), WorkerProcess.start(workerEnv(h)));
    await Promise.all(workers.map((w) => w.waitForLog(/"msg":"started"/)));
    const release = await h.createRelease('conc-1');
    const bundles = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const own: BundleFile[] = Array.from({ length: 10 }, (_, j) => ({
          path: `files/_/_/b${i}/f${j}.js`,
          url: `~/b${i}/f${j}.js`,
          content: `bundle ${i} file ${j}`,
        }));
        const shared: BundleFile[] = [
          { path: 'files/_/_/shared.js', url: '~/shared.js', content: `shared from bundle ${i}` },
          { path: 'files/_/_/common/x.js', url: '~/common/x.js', content: `common from bundle ${i}` },
        ];
        return buildBundle({ release: 'conc-1', dist: 'web', files: [...own, ...shared] });
      }),
    );
    const uploads = await Promise.all(bundles.map((b) => h.upload(b)));
    await Promise.all(uploads.map((u) => h.request('conc-1', u.checksum, u.chunks)));
    const statuses = await Promise.all(uploads.map((u) => h.waitForStatus(u.checksum, 60_000)));
    expect(statuses.every((s) => s.state === 'ok')).toBe(true);
    // Both processes did work.
    expect(workers.every((w) => /"msg":"job finished"/.test(w.logs()))).toBe(true);

    const rows = await h.db
      .selectFrom('release_file as rf')
      .innerJoin('file as f', 'f.id', 'rf.file_id')
      .select(['rf.name', 'rf.ident', 'rf.file_id', 'rf.artifact_count', 'f.type'])
      .where('rf.release_id', '=', release.id)
      .execute();
    const indexRows = rows.filter((r) => r.type === 'release.artifact-index');
    expect(indexRows).toHaveLength(1);
    expect(rows.filter((r) => r.type === 'release.bundle')).toHaveLength(20);
    const index = parseArtifactIndex(await readFileBuffer({ db: h.db, blobs: h.blobs }, indexRows[0]?.file_id ?? ''));
    const urls = Object.keys(index.files);
    expect(urls).toHaveLength(202);
    expect(indexRows[0]?.artifact_count).toBe(202);
    for (let i = 0; i < 20; i++) for (let j = 0; j < 10; j++) expect(index.files[`~/b${i}/f${j}.js`]?.sha1).toBe(sha1(`bundle ${i} file ${j}`));
    // The winner of a shared URL is one bundle, consistently: its entry's content and archive belong together.
    const shared = index.files['~/shared.js'];
    const winner = Array.from({ length: 20 }, (_, i) => i).find((i) => sha1(`shared from bundle ${i}`) === shared?.sha1);
    expect(winner).toBeDefined();
    const archiveOfWinner = rows.find((r) => r.type === 'release.bundle' && r.name === `release-artifacts-${uploads[winner ?? 0]?.checksum}.zip`);
    expect(shared?.archive_ident).toBe(archiveOfWinner?.ident);
    expect(await h.orphanedFiles()).toBe(0);
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  }, 120_000);

  it('a job whose worker is killed mid-way is picked up again and ends with the rows of a single run', async () => {
    const files: BundleFile[] = Array.from({ length: 5 }, (_, i) => ({
      path: `files/_/_/big${i}.js`,
      url: `~/big${i}.js`,
      content: randomBytes(3 * 1024 * 1024).toString('base64'),
      headers: { 'Content-Type': 'application/javascript' },
    }));
    const crashed = await h.createRelease('crash-1');
    const clean = await h.createRelease('crash-2');
    const bundle = await buildBundle({ release: 'crash-1', files });
    const uploaded = await h.upload(bundle);
    const blobsBefore = await h.count('file_blob');

    const victim = WorkerProcess.start(workerEnv(h, { WORKER_CONCURRENCY: '1' }));
    workers.push(victim);
    await victim.waitForLog(/"msg":"started"/);
    await h.request('crash-1', uploaded.checksum, uploaded.chunks);
    // Kill once content blobs are being written: the job is past assembly, before its transaction commits.
    const deadline = Date.now() + 30_000;
    while ((await h.count('file_blob')) <= blobsBefore + 1) {
      if (Date.now() > deadline) throw new Error(`the job never started writing: ${victim.logs()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await victim.kill();
    expect(await h.artifacts(crashed.id)).toEqual([]);

    const rescuer = WorkerProcess.start(workerEnv(h, { WORKER_CONCURRENCY: '1' }));
    workers.push(rescuer);
    expect(await h.waitForStatus(uploaded.checksum, 60_000)).toEqual({ state: 'ok', detail: null });

    const cleanBundle = await buildBundle({ release: 'crash-2', files });
    expect((await h.assemble(cleanBundle, 'crash-2')).state).toBe('ok');

    const shape = (list: Awaited<ReturnType<typeof h.artifacts>>) => list.map((a) => ({ name: a.name, sha1: a.sha1, size: a.size, headers: a.headers }));
    const afterCrash = await h.artifacts(crashed.id);
    expect(afterCrash).toHaveLength(5);
    expect(shape(afterCrash)).toEqual(shape(await h.artifacts(clean.id)));
    expect(afterCrash.map((a) => a.sha1)).toEqual(files.map((f) => sha1(f.content)));
    expect(await h.orphanedFiles()).toBe(0);
    const filesOf = async (releaseId: string) =>
      (await h.db.selectFrom('release_file').select('file_id').where('release_id', '=', releaseId).execute()).length;
    expect([await filesOf(crashed.id), await filesOf(clean.id)]).toEqual([5, 5]);
    expect(await h.tempEntries()).toEqual([]);
    await rescuer.stop();
  }, 120_000);
  it('hashes an archive of many entries on ARCHIVE_HASH_THREADS threads of the worker process, and on none with 0', async () => {
    /** the process's worker threads (Node names their OS threads so), at this moment */
    const workerThreads = async (w: WorkerProcess) => {
      const tasks = await readdir(`/proc/${w.child.pid}/task`);
      const names = await Promise.all(tasks.map((t) => readFile(`/proc/${w.child.pid}/task/${t}/comm`, 'utf8').catch(() => '')));
      return names.filter((name) => name.trim() === 'WorkerThread').length;
    };
    for (const [threads, version] of [['2', 'hash-threads-2'], ['0', 'hash-threads-0']] as const) {
      const worker = WorkerProcess.start(workerEnv(h, { ARCHIVE_HASH_THREADS: threads }));
      workers.push(worker);
      await worker.waitForLog(/"msg":"started"/);
      expect(await workerThreads(worker)).toBe(0);
      await h.createRelease(version);
      const files: BundleFile[] = Array.from({ length: 200 }, (_, i) => ({ path: `files/_/_/t${i}.js`, url: `~/t${i}.js`, content: `${version} ${i}\n`.repeat(i + 1) }));
      const upload = await h.upload(await buildBundle({ release: version, files }));
      await h.request(version, upload.checksum, upload.chunks);
      expect((await h.waitForStatus(upload.checksum, 60_000)).state).toBe('ok');
      expect([threads, await workerThreads(worker)]).toEqual([threads, Number(threads)]);
      const release = await h.db.selectFrom('release').select('id').where('version', '=', version).executeTakeFirstOrThrow();
      const indexRow = await h.db
        .selectFrom('release_file as rf')
        .innerJoin('file as f', 'f.id', 'rf.file_id')
        .select('rf.file_id')
        .where('rf.release_id', '=', release.id)
        .where('f.type', '=', 'release.artifact-index')
        .executeTakeFirstOrThrow();
      const index = parseArtifactIndex(await readFileBuffer({ db: h.db, blobs: h.blobs }, indexRow.file_id));
      expect(files.map((f) => index.files[f.url!]?.sha1)).toEqual(files.map((f) => sha1(f.content)));
      await worker.stop();
    }
  }, 120_000);
});
