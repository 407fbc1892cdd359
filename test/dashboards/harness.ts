import { Queue, QueueEvents, type Worker } from 'bullmq';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { asDashboardDb, type DashboardDb } from '../../src/adapters/db/dashboardSchema.js';
import { createRedis, type Redis } from '../../src/adapters/redis/connect.js';
import { DASHBOARD_QUEUE } from '../../src/jobs/dashboardJobs.js';
import { silentLogger } from '../../src/logging/logger.js';
import { dashboardRoutes } from '../../src/http/dashboards/routes.js';
import { closeDashboardWorker, createDashboardWorker } from '../../src/workers/dashboards/createDashboardWorker.js';
import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, type TestDatabase } from '../support/database.js';

export const ORG_PREFIX = '/api/0/organizations/:organization_id_or_slug';

/** Headers of the test "auth" hook: which user acts (absent: an organisation token), and a superuser claim. */
export interface As {
  user?: string | null;
  superuser?: boolean;
}

export interface Harness {
  testDb: TestDatabase;
  db: DashboardDb;
  prefix: string;
  queue: Queue;
  queueEvents: QueueEvents;
  worker: Worker | null;
  app: FastifyInstance;
  /** organisations the test hook knows, by slug */
  organizations: Map<string, { id: string; slug: string }>;
  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, as: As, body?: unknown): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * Real Postgres (a database of its own), real Redis (a key prefix of its own), a BullMQ queue and dashboard worker,
 * and a bare fastify app whose test hook sets `request.organization` and `request.actor` from the URL and headers.
 */
export async function startHarness(options: { concurrency?: number; putWaitMs?: number; worker?: boolean } = {}): Promise<Harness> {
  const testDb = await createTestDatabase();
  const db = asDashboardDb(testDb.db);
  const prefix = testRedisPrefix();
  const clients: Redis[] = [];
  const redis = (forBullWorker: boolean) => {
    const client = createRedis(TEST_REDIS_URL, { forBullWorker });
    clients.push(client);
    return client;
  };
  const queue = new Queue(DASHBOARD_QUEUE, { connection: redis(false), prefix });
  const queueEvents = new QueueEvents(DASHBOARD_QUEUE, { connection: redis(true), prefix });
  await queueEvents.waitUntilReady();
  const worker = options.worker === false
    ? null
    : createDashboardWorker({ connection: redis(true), prefix, concurrency: options.concurrency ?? 2, deps: { db }, logger: silentLogger });
  const organizations = new Map<string, { id: string; slug: string }>();
  const app = Fastify({ logger: false });
  app.addHook('preHandler', async (request, reply) => {
    const slug = (request.params as { organization_id_or_slug?: string }).organization_id_or_slug ?? '';
    const organization = organizations.get(slug);
    if (!organization) return reply.code(404).send({ detail: 'The requested resource does not exist' });
    request.organization = organization;
    const user = request.headers['x-test-user'];
    request.actor = { userId: typeof user === 'string' && user !== '' ? user : null, isSuperuser: request.headers['x-test-superuser'] === '1' };
  });
  await app.register(dashboardRoutes({ db, queue, queueEvents, putWaitMs: options.putWaitMs ?? 10_000 }), { prefix: ORG_PREFIX });
  await app.ready();

  return {
    testDb,
    db,
    prefix,
    queue,
    queueEvents,
    worker,
    app,
    organizations,
    request: (method, url, as, body) =>
      app.inject({
        method,
        url,
        headers: {
          'x-test-user': as.user ?? '',
          ...(as.superuser ? { 'x-test-superuser': '1' } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      }),
    async close() {
      await app.close();
      if (worker) await closeDashboardWorker(worker);
      await queueEvents.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
      await testDb.drop();
    },
  };
}
