import type { Worker } from 'bullmq';
import { asDashboardDb } from '../adapters/db/dashboardSchema.js';
import { bullConnection, closeBullConnection } from '../adapters/redis/connect.js';
import { bullPrefix } from '../jobs/queues.js';
import { closeDashboardWorker, createDashboardWorker } from '../workers/dashboards/createDashboardWorker.js';
import type { AppContext } from './appContext.js';

/** Starts the dashboard worker (queue dashboard-widgets); `close` waits for running reconciles, then gives up. */
export function startDashboardWorker(ctx: AppContext): { close(): Promise<void>; worker: Worker } {
  const connection = bullConnection(ctx.config.redis, { forBullWorker: true });
  const worker = createDashboardWorker({
    connection,
    prefix: bullPrefix(ctx.config.redisPrefix),
    concurrency: ctx.config.dashboardWorkerConcurrency,
    deps: { db: asDashboardDb(ctx.db) },
    logger: ctx.logger,
  });
  return {
    worker,
    async close() {
      await closeDashboardWorker(worker);
      await closeBullConnection(connection);
    },
  };
}
