import { Queue, QueueEvents } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { bullConnection, closeBullConnection } from '../adapters/redis/connect.js';
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
  const connections = [bullConnection(config.redis), bullConnection(config.redis, { forBullWorker: true }), bullConnection(config.redis)] as const;
  const dashboardQueue = new Queue(DASHBOARD_QUEUE, { connection: connections[0], prefix });
  const dashboardQueueEvents = new QueueEvents(DASHBOARD_QUEUE, { connection: connections[1], prefix });
  const assembleQueue = createAssembleQueue(connections[2], prefix, config.jobAttempts);
  const closeQueues = async () => {
    await Promise.all([dashboardQueueEvents.close(), dashboardQueue.close(), assembleQueue.close()]);
    await Promise.all(connections.map(closeBullConnection));
  };
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
      tempDir: config.tempDir,
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
