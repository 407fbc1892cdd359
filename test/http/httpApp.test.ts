import { Queue, QueueEvents, type Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { asDashboardDb } from '../../src/adapters/db/dashboardSchema.js';
import { createRedis, type Redis } from '../../src/adapters/redis/connect.js';
import { authenticateBearer, createApiToken, hashToken, revokeApiToken } from '../../src/auth/apiTokens.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssembleStatusStore } from '../../src/adapters/redis/assembleStatusStore.js';
import { bullConnection } from '../../src/adapters/redis/connect.js';
import { createBlobStore } from '../../src/adapters/storage/createBlobStore.js';
import { parseConfig } from '../../src/config/config.js';
import { buildHttpApp, type HttpAppDeps } from '../../src/http/buildHttpApp.js';
import { createAssembleQueue } from '../../src/jobs/assembleProducer.js';
import { DASHBOARD_QUEUE } from '../../src/jobs/dashboardJobs.js';
import { silentLogger } from '../../src/logging/logger.js';
import { closeDashboardWorker, createDashboardWorker } from '../../src/workers/dashboards/createDashboardWorker.js';
import { seedFixtureF, seedWorld, type FixtureF, type World } from '../dashboards/world.js';
import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, type TestDatabase } from '../support/database.js';

// The HTTP front through buildHttpApp with real Postgres, Redis, a dashboard queue and its worker.
describe('the HTTP app', () => {
  let testDb: TestDatabase;
  let clients: Redis[];
  let queue: Queue;
  let queueEvents: QueueEvents;
  let worker: Worker;
  let app: FastifyInstance;
  let world: World;
  let fixture: FixtureF;
  let blobDir: string;
  let assembleDeps: Pick<HttpAppDeps, 'redisPrefix' | 'blobs' | 'assembleQueue' | 'statusStore' | 'uploads' | 'maxFileSize'>;
  const board = { user: 'ops', password: 'board-secret' };

  const redis = (forBullWorker: boolean) => {
    const client = createRedis(TEST_REDIS_URL, { forBullWorker });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    clients = [];
    const prefix = testRedisPrefix();
    const db = asDashboardDb(testDb.db);
    queue = new Queue(DASHBOARD_QUEUE, { connection: redis(false), prefix });
    queueEvents = new QueueEvents(DASHBOARD_QUEUE, { connection: redis(true), prefix });
    await queueEvents.waitUntilReady();
    worker = createDashboardWorker({ connection: redis(true), prefix, concurrency: 2, deps: { db }, logger: silentLogger });
    blobDir = await mkdtemp(join(tmpdir(), 'aa-http-'));
    const assembleQueue = createAssembleQueue(bullConnection(TEST_REDIS_URL), prefix, 1);
    assembleDeps = {
      redisPrefix: prefix,
      blobs: await createBlobStore({ driver: 'fs', dir: blobDir }),
      assembleQueue,
      statusStore: new AssembleStatusStore(redis(false), prefix),
      uploads: parseConfig({}).uploads,
      maxFileSize: 2 ** 31,
    };
    world = await seedWorld(db);
    fixture = await seedFixtureF(db, world);
    app = await buildHttpApp({
      db: testDb.db,
      redis: redis(false),
      logger: silentLogger,
      http: { bodyLimitBytes: 64 * 1024, bullBoard: board },
      dashboardQueue: queue,
      dashboardQueueEvents: queueEvents,
      ...assembleDeps,
      putWaitMs: 10_000,
    });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await closeDashboardWorker(worker);
    await queueEvents.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await assembleDeps.assembleQueue.obliterate({ force: true });
    await assembleDeps.assembleQueue.close();
    await rm(blobDir, { recursive: true, force: true });
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await testDb.drop();
  }, 30_000);

  const dashboardsUrl = (slug = world.org.slug) => `/api/0/organizations/${slug}/dashboards/`;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  describe('API tokens', () => {
    it('stores only the sha256 of a token, authenticates it, and stops after revocation', async () => {
      const created = await createApiToken(testDb.db, { organizationSlug: world.org.slug, name: 'ci', userId: world.users.creator });
      expect(created.token).toMatch(/^sntrys_[A-Za-z0-9_-]{43}$/);
      const stored = await testDb.db.selectFrom('api_token' as never).select(['token_hash' as never, 'name' as never]).execute();
      expect(stored).toContainEqual({ token_hash: hashToken(created.token), name: 'ci' });
      expect(JSON.stringify(stored)).not.toContain(created.token);

      const auth = await authenticateBearer(testDb.db, `Bearer ${created.token}`);
      expect(auth).toEqual({ ok: true, organizationId: world.org.id, userId: world.users.creator, isSuperuser: false, tokenId: created.id });
      await revokeApiToken(testDb.db, created.id);
      expect(await authenticateBearer(testDb.db, `Bearer ${created.token}`)).toEqual({ ok: false, detail: 'Invalid token' });
      await expect(revokeApiToken(testDb.db, created.id)).rejects.toMatchObject({ code: 'not_found' });
    });

    it('reports the superuser flag of the token user and refuses unknown organisations and users', async () => {
      const su = await createApiToken(testDb.db, { organizationSlug: world.org.slug, userId: world.users.superuser });
      expect(await authenticateBearer(testDb.db, `Bearer ${su.token}`)).toMatchObject({ ok: true, isSuperuser: true });
      await expect(createApiToken(testDb.db, { organizationSlug: 'no-such-org' })).rejects.toMatchObject({ code: 'not_found' });
      await expect(createApiToken(testDb.db, { organizationSlug: world.org.slug, userId: '999999999' })).rejects.toMatchObject({ code: 'not_found' });
    });
  });

  describe('organisation auth', () => {
    it('answers 401 without credentials, with a malformed header, and with an unknown or revoked token', async () => {
      const missing = await app.inject({ method: 'GET', url: dashboardsUrl() });
      expect(missing.statusCode).toBe(401);
      expect(missing.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
      for (const authorization of ['Basic abc', 'Bearer sntrys_unknown']) {
        const res = await app.inject({ method: 'GET', url: dashboardsUrl(), headers: { authorization } });
        expect([res.statusCode, res.json()]).toEqual([401, { detail: 'Invalid token' }]);
      }
      const revoked = await createApiToken(testDb.db, { organizationSlug: world.org.slug });
      await revokeApiToken(testDb.db, revoked.id);
      const res = await app.inject({ method: 'GET', url: dashboardsUrl(), headers: bearer(revoked.token) });
      expect([res.statusCode, res.json()]).toEqual([401, { detail: 'Invalid token' }]);
    });

    it("answers 404 for another organisation's URL and for an unknown organisation, without saying which", async () => {
      const { token } = await createApiToken(testDb.db, { organizationSlug: world.otherOrg.slug });
      for (const slug of [world.org.slug, 'no-such-org']) {
        const res = await app.inject({ method: 'GET', url: dashboardsUrl(slug), headers: bearer(token) });
        expect([res.statusCode, res.json()]).toEqual([404, { detail: 'The requested resource does not exist' }]);
      }
      const own = await app.inject({ method: 'GET', url: dashboardsUrl(world.otherOrg.slug), headers: bearer(token) });
      expect(own.statusCode).toBe(200);
    });
  });

  describe('dashboards through the real server', () => {
    it('GETs a dashboard by slug or organisation id and PUTs it through the worker', async () => {
      const { token } = await createApiToken(testDb.db, { organizationSlug: world.org.slug, userId: world.users.creator });
      const got = await app.inject({ method: 'GET', url: `${dashboardsUrl()}${fixture.dashboardId}/`, headers: bearer(token) });
      expect(got.statusCode).toBe(200);
      expect(got.json()).toMatchObject({ id: fixture.dashboardId, title: 'Dashboard 1' });
      const byId = await app.inject({ method: 'GET', url: `${dashboardsUrl(world.org.id)}${fixture.dashboardId}/`, headers: bearer(token) });
      expect(byId.statusCode).toBe(200);

      const put = await app.inject({
        method: 'PUT',
        url: `${dashboardsUrl()}${fixture.dashboardId}/`,
        headers: { ...bearer(token), 'content-type': 'application/json' },
        payload: JSON.stringify({ title: 'Renamed over HTTP' }),
      });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toMatchObject({ id: fixture.dashboardId, title: 'Renamed over HTTP' });
      const after = await app.inject({ method: 'GET', url: `${dashboardsUrl()}${fixture.dashboardId}/`, headers: bearer(token) });
      expect(after.json()).toMatchObject({ title: 'Renamed over HTTP' });
    });

    it('answers a body over the limit with 413 JSON and bad JSON with 400 JSON', async () => {
      const { token } = await createApiToken(testDb.db, { organizationSlug: world.org.slug, userId: world.users.creator });
      const headers = { ...bearer(token), 'content-type': 'application/json' };
      const big = await app.inject({ method: 'POST', url: dashboardsUrl(), headers, payload: JSON.stringify({ title: 'x'.repeat(70 * 1024) }) });
      expect(big.statusCode).toBe(413);
      expect(typeof big.json().detail).toBe('string');
      const bad = await app.inject({ method: 'POST', url: dashboardsUrl(), headers, payload: '{"title":' });
      expect(bad.statusCode).toBe(400);
      expect(typeof bad.json().detail).toBe('string');
    });

    it('answers unknown routes with 404 JSON', async () => {
      const res = await app.inject({ method: 'GET', url: '/nowhere' });
      expect([res.statusCode, res.json()]).toEqual([404, { detail: 'The requested resource does not exist' }]);
    });
  });

  describe('health, readiness and metrics', () => {
    it('answers /healthz and /readyz with 200 when Postgres, Redis and the blob storage answer', async () => {
      expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect([ready.statusCode, ready.json()]).toEqual([200, { ok: true, database: true, redis: true, storage: true }]);
    });

    /** A second app on the suite's database and queues, for a /readyz case with other storage or checks. */
    const readinessApp = (overrides: Partial<Parameters<typeof buildHttpApp>[0]>) =>
      buildHttpApp({
          db: testDb.db,
          redis: redis(false),
          logger: silentLogger,
          http: { bodyLimitBytes: 1024, bullBoard: undefined },
          dashboardQueue: queue,
          dashboardQueueEvents: queueEvents,
          ...assembleDeps,
          ...overrides,
      });

    it('answers /readyz with 503 and storage: false while STORAGE_DIR cannot be written, and with 200 once it can', async () => {
      // A regular file where the storage root's parent should be: unwritable even for root (ENOTDIR).
      const blocker = join(blobDir, 'blocker');
      await writeFile(blocker, '');
      const broken = await readinessApp({
        blobs: await createBlobStore({ driver: 'fs', dir: join(blocker, 'blobs') }),
        readinessChecks: { extra: () => Promise.resolve() },
      });
      try {
        const down = await broken.inject({ method: 'GET', url: '/readyz' });
        expect([down.statusCode, down.json()]).toEqual([503, { ok: false, database: true, redis: true, storage: false, extra: true }]);
        await rm(blocker);
        await mkdir(blocker);
        const up = await broken.inject({ method: 'GET', url: '/readyz' });
        expect([up.statusCode, up.json()]).toEqual([200, { ok: true, database: true, redis: true, storage: true, extra: true }]);
      } finally {
        await broken.close();
      }
    });

    it('answers /readyz under the name of each added check, 503 when one fails', async () => {
      const extended = await readinessApp({ readinessChecks: { tempDir: () => Promise.reject(new Error('EACCES')) } });
      try {
        const ready = await extended.inject({ method: 'GET', url: '/readyz' });
        expect([ready.statusCode, ready.json()]).toEqual([503, { ok: false, database: true, redis: true, storage: true, tempDir: false }]);
      } finally {
        await extended.close();
      }
    });

    it('answers /readyz with 503 naming Redis when its client is closed', async () => {
      const closed = createRedis(TEST_REDIS_URL);
      await closed.quit();
      const broken = await buildHttpApp({
        db: testDb.db,
        redis: closed,
        logger: silentLogger,
        http: { bodyLimitBytes: 1024, bullBoard: undefined },
        dashboardQueue: queue,
        dashboardQueueEvents: queueEvents,
        ...assembleDeps,
        readyTimeoutMs: 1000,
      });
      try {
        const ready = await broken.inject({ method: 'GET', url: '/readyz' });
        expect([ready.statusCode, ready.json()]).toEqual([503, { ok: false, database: true, redis: false, storage: true }]);
        expect((await broken.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(404);
      } finally {
        await broken.close();
      }
    });

    it('exposes the request counter by route, process metrics and queue job counts', async () => {
      await app.inject({ method: 'GET', url: '/healthz' });
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/http_requests_total\{route="\/healthz",method="GET",status="200"\} [1-9]/);
      expect(res.body).toMatch(/http_request_duration_seconds_bucket\{le="[^"]+",route="\/healthz"/);
      expect(res.body).toContain('process_cpu_user_seconds_total');
      expect(res.body).toMatch(/bullmq_jobs\{queue="dashboard-widgets",state="completed"\} \d+/);
    });
  });

  describe('Bull Board', () => {
    it('asks for basic auth, refuses wrong credentials and serves the board with the right ones', async () => {
      const none = await app.inject({ method: 'GET', url: '/admin/queues' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Basic/);
      const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
      expect((await app.inject({ method: 'GET', url: '/admin/queues', headers: basic('ops', 'wrong') })).statusCode).toBe(401);
      const ok = await app.inject({ method: 'GET', url: '/admin/queues', headers: basic(board.user, board.password) });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toMatch(/text\/html/);
      const api = await app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: basic(board.user, board.password) });
      expect(api.statusCode).toBe(200);
      expect(JSON.stringify(api.json())).toContain('dashboard-widgets');
    });
  });
});
