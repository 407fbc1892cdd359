import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { collectGarbageBlobs } from '../../src/adapters/files/index.js';
import { FsBlobStore } from '../../src/adapters/storage/FsBlobStore.js';
import { ASSEMBLE_TEMP_PREFIX } from '../../src/workers/assemble/assembleReleaseBundle.js';
import { CURRENT_OWNER, hostTag, linuxStartTime, sweepOrphanedTempDirs } from '../../src/workers/assemble/withTempDir.js';
import { AssembleHarness } from '../support/assembleHarness.js';
import { buildBundle, generatedFiles } from '../support/bundles.js';
import { harnessWorkerEnv, WorkerProcess } from '../support/workerProcess.js';
import { waitForBackendInTransaction } from './support/backendInTransaction.js';

// Issue 11 item 8: nothing is left behind. A killed worker's temp folder is removed by another worker on the host
// while it runs (not only when one starts), and never a live worker's; a blob temp file of a killed write is
// collected by `gc` once older than the grace period, and never one being written.
// Failed before the fix: the folder of the killed worker stayed (the sweep ran only at start); folders of an earlier
// process with the same pid (a restarted container's worker is pid 1 again) were never swept; `.tmp` files stayed.

const DAY = 24 * 3600;

let h: AssembleHarness;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  h = await AssembleHarness.create({ worker: false });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await h.close();
});

/** A worker's job folders: `assemble-{pid}.{start}.{host}-*` (`assemble-{pid}-*` before owners were named). */
const foldersOf = async (pid: number) =>
  (await h.tempEntries()).filter((name) => [`${pid}.`, `${pid}-`].some((tag) => name.startsWith(`${ASSEMBLE_TEMP_PREFIX}${tag}`)));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test("a killed worker's temp folder is swept by a running worker; live workers' folders are kept", async () => {
  const release = await h.createRelease('1.0.0');
  const env = harnessWorkerEnv(h, {
    TEMP_SWEEP_INTERVAL_SECONDS: '1',
    WORKER_LOCK_DURATION_MS: '1000',
    WORKER_STALLED_INTERVAL_MS: '500',
    RELEASE_ARCHIVE_MIN_FILES: '1000',
  });
  // the release's file-writer lock, held: a worker's job waits inside its store transaction, its temp folder in use
  const holder = new pg.Client({ connectionString: h.testDb.url });
  holder.on('error', () => undefined);
  await holder.connect();
  const lockKey = `release-files:${release.id}`;
  await holder.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [lockKey]);
  try {
    const victim = WorkerProcess.start(env);
    workers.push(victim);
    await victim.waitForLog(/"msg":"started"/);
    const uploaded = await h.upload(await buildBundle({ files: generatedFiles(3) }));
    await h.request('1.0.0', uploaded.checksum, uploaded.chunks);
    const victimBackend = await waitForBackendInTransaction(holder, h.testDb.name);
    expect(await foldersOf(victim.child.pid!)).toHaveLength(1);

    // a second worker sweeps at start and every second: the victim's folder is a live worker's, and stays
    const sweeper = WorkerProcess.start(env);
    workers.push(sweeper);
    await sweeper.waitForLog(/"msg":"started"/);
    await sleep(2500);
    expect(await foldersOf(victim.child.pid!)).toHaveLength(1);

    // killed: its folder goes at the sweeper's next periodic sweep, with no worker (re)started
    await victim.kill();
    await waitFor("the killed worker's folder to go", async () => (await foldersOf(victim.child.pid!)).length === 0, 5000);
    // it logs right after removing them; the line may reach us through its stdout a moment after the folder went
    await sweeper.waitForLog(/"msg":"removed temp folders left by crashed workers"/, 5000);

    // the sweeper takes the stalled job over and waits at the same lock: its own folder survives its own sweeps
    await waitForBackendInTransaction(holder, h.testDb.name, new Set([victimBackend]));
    expect(await foldersOf(sweeper.child.pid!)).toHaveLength(1);
    await sleep(2500);
    expect(await foldersOf(sweeper.child.pid!)).toHaveLength(1);
    await holder.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [lockKey]);
    expect(await h.waitForStatus(uploaded.checksum, 20_000)).toEqual({ state: 'ok', detail: null });
    expect(await h.tempEntries()).toEqual([]);
    expect(sweeper.exited).toBe(false);
  } finally {
    await holder.end();
  }
}, 60_000);

test('a folder is judged by pid, process start time and host: pid reuse and restarted containers are not alive', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'aa-sweep-'));
  try {
    const exited = spawn(process.execPath, ['-e', '']);
    const deadPid = exited.pid!;
    await once(exited, 'exit');
    const parentPid = process.ppid;
    const parentStart = linuxStartTime(parentPid);
    const self = CURRENT_OWNER;
    const other = hostTag('another-host');
    const name = (pid: number, start: number | null, host: string) => `${ASSEMBLE_TEMP_PREFIX}${pid}.${start ?? 0}.${host}-x`;
    const kept = [
      name(self.pid, self.startTime, self.host), // this process's own
      name(deadPid, 1, other), // another host's: its processes are not ours to judge
      ...(parentStart === null ? [] : [name(parentPid, parentStart, self.host)]), // a running process
      'unrelated-folder',
    ];
    const swept = [
      name(self.pid, self.startTime + 1, self.host), // an earlier process with our pid (a restarted container)
      `${ASSEMBLE_TEMP_PREFIX}${self.pid}-abc`, // the same, named by a worker from before this naming
      name(deadPid, 1, self.host), // a process that exited
      `${ASSEMBLE_TEMP_PREFIX}${deadPid}-abc`,
      ...(parentStart === null ? [] : [name(parentPid, parentStart + 1, self.host)]), // its pid reused since
    ];
    for (const folder of [...kept, ...swept]) await mkdir(join(parent, folder, 'chunks'), { recursive: true });
    expect((await sweepOrphanedTempDirs(parent, ASSEMBLE_TEMP_PREFIX)).sort()).toEqual([...swept].sort());
    expect((await readdir(parent)).sort()).toEqual([...kept].sort());
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});

test('gc removes the temp file of a blob write that was killed, once older than the grace period; never one in flight', async () => {
  const root = await mkdtemp(join(tmpdir(), 'aa-tmp-blobs-'));
  const store = new FsBlobStore(root);
  const tempFiles = async () =>
    (await readdir(root, { recursive: true })).filter((path) => path.endsWith('.tmp')).sort();
  try {
    // a process killed in the middle of a put (its body never ends)
    const fsBlobStore = join(process.cwd(), 'dist', 'src', 'adapters', 'storage', 'FsBlobStore.js');
    const script = `
      const { FsBlobStore } = await import(${JSON.stringify(fsBlobStore)});
      const { PassThrough } = await import('node:stream');
      const body = new PassThrough();
      new FsBlobStore(${JSON.stringify(root)}).put('ab/cdef/0123456789abcdef0123456789', body);
      body.write(Buffer.alloc(64 * 1024, 1));
      setInterval(() => undefined, 1000);`;
    const writer = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    await waitFor('the killed write to start', async () => (await tempFiles()).length === 1);
    writer.kill('SIGKILL');
    await once(writer, 'exit');
    const [abandoned] = await tempFiles();

    // a write under way in this process
    const body = new PassThrough();
    const inFlight = store.put('cd/ef01/0123456789abcdef0123456789', body);
    body.write(Buffer.alloc(1000, 2));
    await waitFor('the write in flight to start', async () => (await tempFiles()).length === 2);

    const deps = { db: h.db, blobs: store };
    expect(await collectGarbageBlobs(deps, { graceSeconds: DAY })).toMatchObject({ removedTempFiles: 0 });
    const twoDaysAgo = new Date(Date.now() - 2 * DAY * 1000);
    await utimes(join(root, abandoned!), twoDaysAgo, twoDaysAgo);
    expect(await collectGarbageBlobs(deps, { graceSeconds: DAY })).toMatchObject({ removedTempFiles: 1 });
    expect(await tempFiles()).toHaveLength(1);

    body.end(Buffer.alloc(1000, 3));
    await inFlight;
    expect(await tempFiles()).toEqual([]);
    expect(await store.exists('cd/ef01/0123456789abcdef0123456789')).toBe(true);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
