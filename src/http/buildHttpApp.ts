import basicAuth from '@fastify/basic-auth';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue, QueueEvents } from 'bullmq';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { timingSafeEqual } from 'node:crypto';
import { asDashboardDb } from '../adapters/db/dashboardSchema.js';
import type { Database } from '../adapters/db/schema.js';
import { ensureWritableTempDir } from '../adapters/files/tempDir.js';
import { prefixedKey, type Redis } from '../adapters/redis/connect.js';
import { probeStorageWritable } from '../adapters/storage/storageProbe.js';
import type { TrustProxy } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { installNulCharacterCheck } from './rejectNulCharacters.js';
import { dashboardRoutes } from './dashboards/routes.js';
import { readinessRoute, type ReadinessCheck } from './readiness.js';
import { installErrorHandlers } from './errorHandler.js';
import { apiIndexRoutes } from './index/routes.js';
import { createMetrics, instrumentRequests } from './metrics.js';
import { ORGANIZATION_PREFIX, PROJECT_PREFIX, installOrganizationAuth, installProjectAuth } from './orgAuth.js';
import { artifactBundleAssembleRoutes, artifactLookupRoutes } from './artifactBundles/routes.js';
import { organizationReleaseFileRoutes, projectReleaseFileRoutes } from './releaseFiles/routes.js';
import { organizationReleaseRoutes, projectReleaseRoutes } from './releases/routes.js';
import type { HttpRouteDeps } from './routeDeps.js';
import { uploadRoutes } from './uploads/routes.js';
import { symbolicationRoutes } from './symbolication/routes.js';
import { ByteBoundedCache } from '../symbolication/byteBoundedCache.js';
import type { CachedValue } from '../symbolication/artifactStore.js';
import { DEFAULT_SYMBOLICATION_CACHE_BYTES } from '../config/config.js';

export interface HttpAppDeps extends Omit<HttpRouteDeps, 'bodyLimitBytes' | 'publicUrl'> {
  db: Kysely<Database>;
  redis: Redis;
  logger: Logger;
  http: {
    bodyLimitBytes: number;
    bullBoard: { user: string; password: string } | undefined;
    publicUrl?: string | undefined;
    trustProxy?: TrustProxy;
  };
  /** the `dashboard-widgets` queue and its events (PUT waits on them) */
  dashboardQueue: Queue;
  dashboardQueueEvents: QueueEvents;
  putWaitMs?: number;
  /** TEMP_DIR: /readyz fails while it cannot be written (undefined: not checked) */
  tempDir?: string;
  /** how long /readyz waits for each dependency */
  readyTimeoutMs?: number;
  /** /readyz checks beyond the built-in database, redis and storage, by the name they answer under */
  readinessChecks?: Record<string, ReadinessCheck>;
}

/** The HTTP front: health, readiness, metrics, the organisation API behind token auth, and Bull Board. */
export async function buildHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  // the pino root already redacts authorization headers (src/logging/logger.ts)
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.http.bodyLimitBytes,
    // decides whether X-Forwarded-Proto/-Host count for request.protocol/host, the base of our absolute URLs
    trustProxy: deps.http.trustProxy ?? false,
  });
  installErrorHandlers(app);
  installNulCharacterCheck(app);
  const queues = [deps.assembleQueue, deps.dashboardQueue];
  const routeDeps: HttpRouteDeps = { ...deps, bodyLimitBytes: deps.http.bodyLimitBytes, publicUrl: deps.http.publicUrl };
  instrumentRequests(app, createMetrics(queues));

  app.get('/healthz', async () => ({ ok: true }));
  const tempDir = deps.tempDir;
  const readinessChecks: Record<string, ReadinessCheck> = {
    database: () => sql`SELECT 1`.execute(deps.db),
    // a key under our prefix: in a cluster this asks the master serving our hash slot, not any node
    redis: () => deps.redis.exists(prefixedKey(deps.redisPrefix, 'readyz')),
    storage: () => probeStorageWritable(deps.blobs),
    ...(tempDir === undefined ? {} : { tempDir: () => ensureWritableTempDir(tempDir) }),
    ...deps.readinessChecks,
  };
  readinessRoute(app, readinessChecks, deps.readyTimeoutMs ?? 2000);

  await app.register(apiIndexRoutes(deps.db));
  await app.register(
    async (scope) => {
      installOrganizationAuth(scope, deps.db);
      await scope.register(
        dashboardRoutes({
          db: asDashboardDb(deps.db),
          queue: deps.dashboardQueue,
          queueEvents: deps.dashboardQueueEvents,
          putWaitMs: deps.putWaitMs,
          bodyLimitBytes: deps.http.bodyLimitBytes,
        }),
      );
      await scope.register(uploadRoutes(routeDeps));
      await scope.register(organizationReleaseRoutes(routeDeps));
      await scope.register(organizationReleaseFileRoutes(routeDeps));
      await scope.register(artifactBundleAssembleRoutes(routeDeps));
    },
    { prefix: ORGANIZATION_PREFIX },
  );
  await app.register(
    async (scope) => {
      installProjectAuth(scope, deps.db);
      await scope.register(projectReleaseRoutes(routeDeps));
      await scope.register(projectReleaseFileRoutes(routeDeps));
      await scope.register(artifactLookupRoutes(routeDeps));
      const cache = new ByteBoundedCache<CachedValue>(deps.symbolicationCacheBytes ?? DEFAULT_SYMBOLICATION_CACHE_BYTES);
      await scope.register(symbolicationRoutes({ db: deps.db, blobs: deps.blobs, cache }));
    },
    { prefix: PROJECT_PREFIX },
  );

  if (deps.http.bullBoard) await registerBullBoard(app, queues, deps.http.bullBoard);
  return app;
}

export const BULL_BOARD_PATH = '/admin/queues';

async function registerBullBoard(app: FastifyInstance, queues: Queue[], credentials: { user: string; password: string }): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  await app.register(async (scope) => {
    await scope.register(basicAuth, {
      authenticate: { realm: 'bull-board' },
      validate: async (user, password) => {
        if (!(sameSecret(user, credentials.user) && sameSecret(password, credentials.password))) throw new Error('Invalid credentials');
      },
    });
    scope.addHook('onRequest', scope.basicAuth);
    await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
