import { waitForBackendInTransaction } from './support/backendInTransaction.js';
import pg from 'pg';
import { AssembleHarness } from '../support/assembleHarness.js';
import { buildBundle, generatedFiles } from '../support/bundles.js';
import { harnessWorkerEnv, WorkerProcess } from '../support/workerProcess.js';

// Issue 11 item 2: a job whose workers are killed (SIGKILL) more often than BullMQ's maxStalledCount (1) allows is
// failed by BullMQ without any processor running; its assemble status must then say `error` with what happened,
// instead of staying `assembling` for up to 10 minutes (and `sentry-cli --wait` timing out).
// Failed before the fix: the status stayed `assembling`.

let h: AssembleHarness;
const workers: WorkerProcess[] = [];
let holder: pg.Client;

// A short lock and stalled check, so a killed worker's job is taken up again within about two seconds.
const FAST_STALLS = { WORKER_LOCK_DURATION_MS: '1000', WORKER_STALLED_INTERVAL_MS: '500', RELEASE_ARCHIVE_MIN_FILES: '1000' };

beforeAll(async () => {
  h = await AssembleHarness.create({ worker: false, attempts: 3 });
  holder = new pg.Client({ connectionString: h.testDb.url });
  holder.on('error', () => undefined);
  await holder.connect();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await holder.end().catch(() => undefined);
  await h.close();
});

test('a job whose worker is killed twice ends error, saying the worker stopped', async () => {
  const release = await h.createRelease('1.0.0');
  // The worker's store transaction waits on this lock, so each worker is killed while it holds the job.
  await holder.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`release-files:${release.id}`]);
  const uploaded = await h.upload(await buildBundle({ files: generatedFiles(3) }));
  await h.request('1.0.0', uploaded.checksum, uploaded.chunks);

  const seen = new Set<number>();
  for (let kill = 1; kill <= 2; kill++) {
    const worker = WorkerProcess.start(harnessWorkerEnv(h, FAST_STALLS));
    workers.push(worker);
    seen.add(await waitForBackendInTransaction(holder, h.testDb.name, seen));
    await worker.kill();
  }
  const survivor = WorkerProcess.start(harnessWorkerEnv(h, FAST_STALLS));
  workers.push(survivor);

  const status = await h.waitForStatus(uploaded.checksum, 20_000);
  expect(status).toEqual({ state: 'error', detail: expect.stringMatching(/worker .* stopped \(crashed or was killed\)/) });
  // Whichever worker's stalled check gives the job up logs it: on a loaded machine a worker's own event loop can miss
  // its lock renewal, so that may be a worker killed later, not the survivor.
  const line = await givenUpLine();
  expect(JSON.parse(line)).toMatchObject({ jobId: expect.any(String), organizationId: h.organization.id, reason: 'job stalled more than allowable limit' });
  expect(survivor.exited).toBe(false);
  expect(await h.count('release_file')).toBe(0);
});

async function givenUpLine(timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = workers.flatMap((w) => w.logs().split('\n')).find((l) => l.includes('"msg":"assemble job given up"'));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no worker logged "assemble job given up":\n${workers.map((w) => w.logs()).join('\n---\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
