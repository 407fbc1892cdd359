import { Queue, Worker, type Job } from 'bullmq';
import { AssembleStatusStore } from '../../src/adapters/redis/assembleStatusStore.js';
import { bullConnection, closeBullConnection, createRedis, type Redis } from '../../src/adapters/redis/connect.js';
import { ASSEMBLE_TASK } from '../../src/domain/assembleStatus.js';
import { ASSEMBLE_JOB } from '../../src/jobs/assembleJobs.js';
import { silentLogger } from '../../src/logging/logger.js';
import { reportGivenUpJob, STALLED_DETAIL } from '../../src/workers/assemble/givenUpJobs.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../support/database.js';

// The 'failed' handler of the assemble worker runs after the processor has written its own final status. A transient
// error is answered once and forgotten (so the next request assembles again); when a request consumed it before the
// handler ran, the handler must not write a final `error` in its place.
// Failed before the fix: the handler found no status and cached `assembly failed: ...` as final (seen in the
// disk-full chaos test under load: the request after the disk was freed answered `error`, not `created`).

const prefix = testRedisPrefix();
const connection = bullConnection(TEST_REDIS_URL);
let redis: Redis;
let store: AssembleStatusStore;
let queue: Queue;
let worker: Worker;
const failures: Array<{ job: Job; err: Error }> = [];

const payload = (n: number) => ({ organizationId: '7', version: '1.0.0', checksum: String(n).repeat(40), chunks: ['a'.repeat(40)] });
const refOf = (n: number) => ({ scope: '7', checksum: String(n).repeat(40), task: ASSEMBLE_TASK.releaseBundle });

beforeAll(async () => {
  redis = createRedis(TEST_REDIS_URL);
  store = new AssembleStatusStore(redis, prefix);
  queue = new Queue('given-up', { connection, prefix });
  worker = new Worker('given-up', async (): Promise<void> => {
    throw new Error('ENOSPC: no space left on device');
  }, { connection, prefix });
  worker.on('failed', (job, err) => job && failures.push({ job, err }));
});

afterAll(async () => {
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await closeBullConnection(connection);
  await redis.quit();
});

/** Runs one job of `payload(n)` to its final failure through the real worker and answers BullMQ's job and error. */
async function failedJob(n: number) {
  const job = await queue.add(ASSEMBLE_JOB.releaseBundle, payload(n), { attempts: 1, jobId: `given-up-${n}` });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const failure = failures.find((f) => f.job.id === job.id);
    if (failure) return failure;
    if (Date.now() > deadline) throw new Error(`job ${job.id} did not fail`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a retryable error that a request already answered (and forgot) is not replaced by a final error', async () => {
  const { job, err } = await failedJob(1);
  await store.setRetryableError(refOf(1), 'storage unavailable: no space left');
  expect(await store.answer(refOf(1))).toEqual({ state: 'error', detail: 'storage unavailable: no space left' });

  await reportGivenUpJob(store, job, err, silentLogger);

  expect(await store.get(refOf(1))).toBeNull();
});

test('a job that ends failed while its status still says assembling gets error with what happened', async () => {
  const { job } = await failedJob(2);
  await store.set(refOf(2), 'assembling');

  await reportGivenUpJob(store, job, new Error('job stalled more than allowable limit'), silentLogger);

  expect(await store.get(refOf(2))).toEqual({ state: 'error', detail: STALLED_DETAIL });
});

test('a final status the processor wrote is kept', async () => {
  const { job, err } = await failedJob(3);
  await store.set(refOf(3), 'error', 'the bundle is invalid: no manifest');

  await reportGivenUpJob(store, job, err, silentLogger);

  expect(await store.get(refOf(3))).toEqual({ state: 'error', detail: 'the bundle is invalid: no manifest' });
});
