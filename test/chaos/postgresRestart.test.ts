import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDb, type Db } from '../../src/adapters/db/connect.js';
import { storeChunks } from '../../src/adapters/files/index.js';
import { AssembleStatusStore } from '../../src/adapters/redis/assembleStatusStore.js';
import { bullConnection, createRedis, type Redis } from '../../src/adapters/redis/connect.js';
import type { BlobStore } from '../../src/adapters/storage/BlobStore.js';
import { createBlobStore } from '../../src/adapters/storage/createBlobStore.js';
import { ASSEMBLE_TASK } from '../../src/domain/assembleStatus.js';
import { ASSEMBLE_JOB, releaseBundleJobId } from '../../src/jobs/assembleJobs.js';
import { createAssembleQueue, enqueueAssembleJob, type AssembleQueue } from '../../src/jobs/assembleProducer.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { createRelease } from '../../src/orgs/createRelease.js';
import { TEST_SNOWFLAKE } from '../support/assembleHarness.js';
import { buildBundle, generatedFiles } from '../support/bundles.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../support/database.js';
import { WorkerProcess } from '../support/workerProcess.js';
import { PrivatePostgres } from './support/privatePostgres.js';

// Issue 11 item 1: Postgres goes away for 45 s (a failover) while 20 assemble jobs wait. The worker process lives
// through it (no restart), and all 20 jobs end `ok`: the jobs the worker takes while the database is down fail as
// transient, and intake pauses until Postgres answers, so no job spends all its attempts on the outage.
// Failed before the fix: the worker died on the terminated connections (and jobs ran out of attempts).

const OUTAGE_MS = 45_000;
const JOBS = 20;

let postgres: PrivatePostgres;
let db: Db;
let redis: Redis;
let blobs: BlobStore;
let queue: AssembleQueue;
let statusStore: AssembleStatusStore;
let worker: WorkerProcess;
let dir: string;
const prefix = testRedisPrefix();

beforeAll(async () => {
  postgres = await PrivatePostgres.start();
  const url = await postgres.createMigratedDatabase('restart');
  db = createDb({ connectionString: url, maxConnections: 2 });
  redis = createRedis(TEST_REDIS_URL);
  dir = await mkdtemp(join(tmpdir(), 'aa-chaos-restart-'));
  blobs = await createBlobStore({ driver: 'fs', dir: join(dir, 'blobs') });
  statusStore = new AssembleStatusStore(redis, prefix);
  queue = createAssembleQueue(bullConnection(TEST_REDIS_URL), prefix, 5);
  worker = WorkerProcess.start({
    DATABASE_URL: url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    STORAGE_DIR: join(dir, 'blobs'),
    TEMP_DIR: dir,
  });
  await worker.waitForLog(/"msg":"started"/);
}, 60_000);

afterAll(async () => {
  await worker?.kill();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis?.disconnect();
  await db?.destroy();
  await blobs?.close();
  await postgres?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a 45 s Postgres restart while 20 jobs wait: every job ends ok, the worker is never restarted', async () => {
  const orgDeps = { db, redis, redisPrefix: prefix, snowflake: TEST_SNOWFLAKE };
  const org = await createOrganization(orgDeps, { name: 'Acme', slug: 'acme' });
  await createRelease(orgDeps, { organizationSlug: 'acme', version: '1.0.0' });
  const bundles = [];
  for (let i = 0; i < JOBS; i++) {
    const stored = await storeChunks({ db, blobs }, org.id, Readable.from([await buildBundle({ files: generatedFiles(3, `b${i}`) })]));
    bundles.push(stored);
  }
  const pid = worker.child.pid;

  await postgres.stop('fast');
  // Enqueued while the database is down (the queue and the status live in Redis): the 20 jobs wait.
  for (const b of bundles) {
    const payload = { organizationId: org.id, version: '1.0.0', checksum: b.checksum, chunks: b.chunks };
    expect(await statusStore.createIfAbsent({ scope: org.id, checksum: b.checksum, task: ASSEMBLE_TASK.releaseBundle })).toBe(true);
    await enqueueAssembleJob(queue, ASSEMBLE_JOB.releaseBundle, payload, releaseBundleJobId(payload));
  }
  await sleep(OUTAGE_MS);
  expect(worker.exited).toBe(false);
  await postgres.restart();
  const back = Date.now();

  const firstOk: number[] = [];
  const states = await Promise.all(
    bundles.map(async (b) => {
      const ref = { scope: org.id, checksum: b.checksum, task: ASSEMBLE_TASK.releaseBundle };
      const deadline = Date.now() + 40_000;
      for (;;) {
        const status = await statusStore.get(ref);
        if (status?.state === 'ok') firstOk.push(Date.now());
        if (status?.state === 'ok' || status?.state === 'error' || Date.now() > deadline) return status;
        await sleep(100);
      }
    }),
  );
  console.log(
    `postgres restart: first ok ${((Math.min(...firstOk) - back) / 1000).toFixed(1)} s and all ${firstOk.length} ok ` +
      `${((Math.max(...firstOk) - back) / 1000).toFixed(1)} s after Postgres returned`,
  );
  if (states.some((s) => s?.state !== 'ok')) console.log(failureReasons(worker.logs()));
  expect(states).toEqual(bundles.map(() => ({ state: 'ok', detail: null })));
  expect(worker.exited).toBe(false);
  expect(worker.child.pid).toBe(pid);
  const { count } = (await db.selectFrom('release_file').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow());
  expect(Number(count)).toBe(JOBS * 3);
}, 150_000);

/** The distinct error messages of the worker's failed jobs, to say why a job did not end ok. */
function failureReasons(logs: string): string[] {
  const reasons = new Set<string>();
  for (const line of logs.split('\n')) {
    if (!line.includes('"msg":"job failed"') && !line.includes('"msg":"failed to assemble bundle"')) continue;
    try {
      const parsed = JSON.parse(line) as { err?: { message?: string; type?: string; code?: string } };
      reasons.add(`${parsed.err?.type}: ${parsed.err?.code} ${parsed.err?.message}`);
    } catch {
      reasons.add(line.slice(0, 300));
    }
  }
  return [...reasons];
}
