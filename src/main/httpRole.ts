import { Queue, QueueEvents } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { bullConnection } from '../adapters/redis/connect.js';
import { createAssembleQueue } from '../jobs/assembleProducer.js';
import { DASHBOARD_QUEUE } from '../jobs/dashboardJobs.js';
import { bullPrefix } from '../jobs/queues.js';
import { buildHttpApp } from '../http/buildHttpApp.js';
import type { AppContext } from './appContext.js';

/**
 * Starts the HTTP server on HOST/PORT with its own queue handles (the dashboard queue and its events, the assemble
 * queue for Bull Board and metrics). `close` stops accepting connections, waits for in-flight requests, then closes
 * the queue handles.
 */
export async function startHttpServer(ctx: AppContext): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const { config } = ctx;
  const prefix = bullPrefix(config.redisPrefix);
  const dashboardQueue = new Queue(DASHBOARD_QUEUE, { connection: bullConnection(config.redisUrl), prefix });
  const dashboardQueueEvents = new QueueEvents(DASHBOARD_QUEUE, { connection: bullConnection(config.redisUrl, { forBullWorker: true }), prefix });
  const assembleQueue = createAssembleQueue(bullConnection(config.redisUrl), prefix, config.jobAttempts);
  const closeQueues = () => Promise.all([dashboardQueueEvents.close(), dashboardQueue.close(), assembleQueue.close()]).then(() => undefined);
  try {
    await dashboardQueueEvents.waitUntilReady();
    const app = await buildHttpApp({
      db: ctx.db,
      redis: ctx.redis,
      logger: ctx.logger,
      http: config.http,
      dashboardQueue,
      dashboardQueueEvents,
      redisPrefix: config.redisPrefix,
      blobs: ctx.blobs,
      assembleQueue,
      statusStore: ctx.statusStore,
      uploads: config.uploads,
      maxFileSize: config.limits.maxFileSize,
      symbolicationCacheBytes: config.symbolication.cacheBytes,
    });
    await app.listen({ host: config.http.host, port: config.http.port });
    return {
      app,
      async close() {
        await app.close();
        await closeQueues();
      },
    };
  } catch (err) {
    await closeQueues();
    throw err;
  }
}
