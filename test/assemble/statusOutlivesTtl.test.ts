import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { lockReleaseForFileWrites } from '../../src/adapters/db/releaseFiles.js';
import { ASSEMBLE_TASK } from '../../src/domain/assembleStatus.js';
import { ApiHarness } from '../http/apiHarness.js';
import { AssembleHarness } from '../support/assembleHarness.js';
import { buildBundle, generatedFiles } from '../support/bundles.js';
import { buildArtifactBundle, debugIdFiles } from '../artifactBundles/sysbBundles.js';

// Issue 4.3: a poll never answers `not_found` for a job that has started, however long it waits in the queue or
// runs. The status TTL is 1 s here instead of 600 s, so that "longer than the TTL" fits in a test.

const TTL_SECONDS = 1;
const PAST_TTL_MS = TTL_SECONDS * 1000 + 300;

/** A promise and the function that settles it: the test decides when a held lock is released. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('release bundle status past its TTL', () => {
  let h: AssembleHarness;

  beforeAll(async () => {
    h = await AssembleHarness.create({ worker: false, statusTtlSeconds: TTL_SECONDS });
  });
  afterAll(async () => {
    await h.close();
  });

  const statusOf = (checksum: string) => h.statusStore.get({ scope: h.organization.id, checksum, task: ASSEMBLE_TASK.releaseBundle });

  it('answers created for a job still waiting in the queue after its status expired', async () => {
    const version = 'queued-1';
    await h.createRelease(version);
    const uploaded = await h.upload(await buildBundle({ release: version, files: generatedFiles(2, randomBytes(4).toString('hex')) }));
    expect(await h.request(version, uploaded.checksum, uploaded.chunks)).toMatchObject({ state: 'created' });
    await sleep(PAST_TTL_MS);
    expect(await statusOf(uploaded.checksum)).toBeNull();

    expect(await h.request(version, uploaded.checksum, [])).toEqual({ state: 'created', detail: null, missingChunks: [] });
    expect(await h.request(version, uploaded.checksum, uploaded.chunks)).toEqual({ state: 'created', detail: null, missingChunks: [] });
    expect(await h.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });

    const worker = h.startWorker(1);
    expect(await h.waitForStatus(uploaded.checksum)).toEqual({ state: 'ok', detail: null });
    await worker.close();
  });

  it('keeps the status of a running job alive for as long as it runs', async () => {
    const version = 'slow-1';
    const release = await h.createRelease(version);
    const uploaded = await h.upload(await buildBundle({ release: version, files: generatedFiles(3, randomBytes(4).toString('hex')) }));
    // The job stores single files under this lock, so it stays running until the gate opens.
    const held = gate();
    const locked = gate();
    const holder = h.db.transaction().execute(async (tx) => {
      await lockReleaseForFileWrites(tx, release.id);
      locked.open();
      await held.opened;
    });
    await locked.opened;
    const worker = h.startWorker(1);
    try {
      expect(await h.request(version, uploaded.checksum, uploaded.chunks)).toMatchObject({ state: 'created' });
      const seen = new Set<string>();
      const until = Date.now() + 3 * TTL_SECONDS * 1000;
      while (Date.now() < until) {
        seen.add((await statusOf(uploaded.checksum))?.state ?? 'absent');
        await sleep(50);
      }
      expect([...seen].filter((state) => state !== 'created')).toEqual(['assembling']);
    } finally {
      held.open();
      await holder;
    }
    expect(await h.waitForStatus(uploaded.checksum)).toEqual({ state: 'ok', detail: null });
    await worker.close();
  });
});

describe('artifact bundle status past its TTL', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await ApiHarness.create({ worker: false, statusTtlSeconds: TTL_SECONDS });
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (body: Record<string, unknown>) =>
    h.inject({ method: 'POST', url: '/api/0/organizations/acme/artifactbundle/assemble/', payload: body });

  it('answers created for a queued job after its status expired, and keeps the links of requests made meanwhile', async () => {
    const bundle = await buildArtifactBundle({ files: debugIdFiles(2, 'ttl'), release: '4.0' });
    const { checksum, chunks } = await h.assembly.upload(bundle);
    expect((await post({ checksum, chunks, projects: ['web'], version: '4.0', dist: 'a' })).json()).toMatchObject({ state: 'created' });
    await sleep(PAST_TTL_MS);
    const scope = { scope: h.organization.id, checksum, task: ASSEMBLE_TASK.artifactBundle };
    expect(await h.assembly.statusStore.get(scope)).toBeNull();

    expect((await post({ checksum, chunks: [], projects: ['web'], version: '4.0', dist: 'a' })).json()).toEqual({
      state: 'created',
      detail: null,
      missingChunks: [],
    });
    expect((await post({ checksum, chunks, projects: ['web'], version: '4.0', dist: 'b' })).json()).toMatchObject({ state: 'created' });

    h.assembly.startWorker(1);
    for (let polls = 0; ; polls += 1) {
      const answer = (await post({ checksum, chunks, projects: ['web'], version: '4.0', dist: 'a' })).json() as { state: string };
      if (answer.state === 'ok') break;
      expect(['created', 'assembling']).toContain(answer.state);
      if (polls > 400) throw new Error(`still ${answer.state}`);
      await sleep(50);
    }
    const links = await h.db.selectFrom('release_artifact_bundle').select('dist_name').where('release_name', '=', '4.0').orderBy('dist_name').execute();
    expect(links.map((l) => l.dist_name)).toEqual(['a', 'b']);
  });
});
