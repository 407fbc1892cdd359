import { setTimeout as sleep } from 'node:timers/promises';
import { waitForBackendInTransaction } from './support/backendInTransaction.js';
import pg from 'pg';
import { AssembleHarness } from '../support/assembleHarness.js';
import { buildBundle, generatedFiles } from '../support/bundles.js';
import { harnessWorkerEnv, WorkerProcess } from '../support/workerProcess.js';

// Issue 11 item 1: a worker whose Postgres backend is terminated inside its store transaction must not exit; the job
// fails as transient, is retried on a fresh pooled connection, and the bundle ends `ok` with every file once.
// Failed before the fix: the pg client emitted 'error' with no listener and the worker process died.

let h: AssembleHarness;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  h = await AssembleHarness.create({ worker: false, attempts: 3 });
});

afterAll(async () => {
  await worker?.kill();
  await h.close();
});

test('a terminated backend in the store transaction: the worker lives on and the bundle ends ok', async () => {
  const release = await h.createRelease('1.0.0');
  worker = WorkerProcess.start(harnessWorkerEnv(h, { RELEASE_ARCHIVE_MIN_FILES: '1000' }));
  await worker.waitForLog(/"msg":"started"/);

  // Hold the release's file-writer lock, so the worker's store transaction waits inside it: a backend we can find.
  const holder = new pg.Client({ connectionString: h.testDb.url });
  holder.on('error', () => undefined);
  await holder.connect();
  await holder.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`release-files:${release.id}`]);

  const files = generatedFiles(6);
  const bundle = await buildBundle({ files });
  const uploaded = await h.upload(bundle);
  await h.request('1.0.0', uploaded.checksum, uploaded.chunks);

  const pid = await waitForBackendInTransaction(holder, h.testDb.name);
  const [terminated] = (await holder.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid])).rows;
  expect(terminated?.ok).toBe(true);
  await sleep(500); // an unhandled 'error' kills the process at once; give it the chance
  expect(worker.exited).toBe(false);
  await holder.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`release-files:${release.id}`]);
  await holder.end();

  const status = await h.waitForStatus(uploaded.checksum, 30_000);
  expect(status).toEqual({ state: 'ok', detail: null });
  expect(worker.exited).toBe(false);
  const stored = await h.artifacts(release.id);
  expect(stored.map((a) => a.name).sort()).toEqual(files.map((f) => f.url).sort());
  expect(await h.count('release_file')).toBe(files.length);
  expect(await h.orphanedFiles()).toBe(0);
  expect(worker.logs()).toMatch(/"msg":"job failed"/);
});
