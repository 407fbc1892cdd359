import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDb, type Db } from '../../src/adapters/db/connect.js';
import { createRedis, type Redis } from '../../src/adapters/redis/connect.js';
import { createApiToken } from '../../src/auth/apiTokens.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { createProject } from '../../src/orgs/createProject.js';
import { TEST_SNOWFLAKE } from '../support/assembleHarness.js';
import { WorkerProcess } from '../support/workerProcess.js';
import { freePort } from './support/freePort.js';
import { PrivatePostgres } from './support/privatePostgres.js';
import { PrivateRedis } from './support/privateRedis.js';

// Issue 11 item 5: while Postgres or Redis is down, every route answers 503 with Retry-After (sentry-cli retries a
// 503, not a 500), and the API process lives on and answers 2xx again once the dependency is back.
// Failed before the fix: 500 "Internal Error" for untranslated driver errors, and no Retry-After at all.

let postgres: PrivatePostgres;
let redisServer: PrivateRedis;
let db: Db;
let redis: Redis;
let api: WorkerProcess;
let base: string;
let token: string;
let storageDir: string;

beforeAll(async () => {
  [postgres, redisServer] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
  const url = await postgres.createMigratedDatabase('outage');
  db = createDb({ connectionString: url, maxConnections: 2 });
  redis = createRedis(redisServer.url);
  const orgDeps = { db, redis, redisPrefix: 'outage', snowflake: TEST_SNOWFLAKE };
  await createOrganization(orgDeps, { name: 'Acme', slug: 'acme' });
  await createProject(orgDeps, { organizationSlug: 'acme', name: 'Web', slug: 'web' });
  ({ token } = await createApiToken(db, { organizationSlug: 'acme', name: 'outage' }));
  storageDir = await mkdtemp(join(tmpdir(), 'aa-chaos-outage-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = WorkerProcess.start(
    {
      DATABASE_URL: url,
      REDIS_URL: redisServer.url,
      REDIS_PREFIX: 'outage',
      STORAGE_DIR: join(storageDir, 'blobs'),
      TEMP_DIR: storageDir,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    'api',
  );
  await api.waitForLog(/"msg":"started"/);
}, 60_000);

afterAll(async () => {
  await api?.kill();
  redis?.disconnect();
  await db?.destroy();
  await Promise.all([postgres?.destroy(), redisServer?.destroy()]);
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

/** Requests that reach Postgres (auth, reads) and Redis (assemble status, release ids) on several routes. */
function routes() {
  const org = `${base}/api/0/organizations/acme`;
  const assembleBody = JSON.stringify({ checksum: 'a'.repeat(40), chunks: [], projects: ['web'] });
  return [
    { name: 'GET chunk-upload', url: `${org}/chunk-upload/`, init: {} },
    { name: 'GET releases', url: `${org}/releases/`, init: {} },
    { name: 'POST releases', url: `${org}/releases/`, init: { method: 'POST', body: JSON.stringify({ version: 'v1', projects: ['web'] }) } },
    { name: 'POST artifactbundle/assemble', url: `${org}/artifactbundle/assemble/`, init: { method: 'POST', body: assembleBody } },
  ];
}

async function call(route: ReturnType<typeof routes>[number]) {
  const res = await fetch(route.url, {
    ...route.init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    signal: AbortSignal.timeout(20_000),
  });
  return { name: route.name, status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
}

test('Postgres down: every route answers 503 with Retry-After; 2xx again once it is back', async () => {
  await postgres.stop('fast');
  const answers = [];
  for (const route of routes()) answers.push(await call(route));
  for (const answer of answers) {
    expect({ name: answer.name, status: answer.status, retryAfter: answer.retryAfter }).toEqual({ name: answer.name, status: 503, retryAfter: '5' });
  }
  expect(api.exited).toBe(false);

  await postgres.restart();
  const back = Date.now();
  const recovered = await firstSuccess(routes()[1]!);
  console.log(`postgres outage: first 2xx ${((Date.now() - back) / 1000).toFixed(1)} s after Postgres returned`);
  expect(recovered.status).toBe(200);
  expect(api.exited).toBe(false);
});

test('Redis down: routes that need Redis answer 503 with Retry-After; 2xx again once it is back', async () => {
  await redisServer.stop('SIGKILL');
  // the assemble status lives in Redis (release creation may not need it: its id sequence can be in hand)
  const assemble = await call(routes()[3]!);
  expect([assemble.status, assemble.retryAfter, assemble.body]).toEqual([503, "5", expect.any(String)]);
  expect(api.exited).toBe(false);

  await redisServer.restart();
  const back = Date.now();
  const recovered = await firstSuccess(routes()[3]!);
  console.log(`redis outage: first 2xx ${((Date.now() - back) / 1000).toFixed(1)} s after Redis returned`);
  expect(recovered.status).toBe(200);
  expect(api.exited).toBe(false);
});

async function firstSuccess(route: ReturnType<typeof routes>[number]) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await call(route).catch(() => null);
    if (answer && answer.status < 300) return answer;
    if (Date.now() > deadline) return answer ?? { status: 0 };
    await sleep(100);
  }
}
