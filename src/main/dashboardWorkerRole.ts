import type { Worker } from 'bullmq';
import { asDashboardDb } from '../adapters/db/dashboardSchema.js';
import { bullConnection } from '../adapters/redis/connect.js';
import { bullPrefix } from '../jobs/queues.js';
import { closeDashboardWorker, createDashboardWorker } from '../workers/dashboards/createDashboardWorker.js';
import type { AppContext } from './appContext.js';

/** Starts the dashboard worker (queue dashboard-widgets); `close` waits for running reconciles, then gives up. */
export function startDashboardWorker(ctx: AppContext): { close(): Promise<void>; worker: Worker } {
  const worker = createDashboardWorker({
    connection: bullConnection(ctx.config.redisUrl, { forBullWorker: true }),
    prefix: bullPrefix(ctx.config.redisPrefix),
    concurrency: ctx.config.dashboardWorkerConcurrency,
    deps: { db: asDashboardDb(ctx.db) },
    logger: ctx.logger,
  });
  return { worker, close: () => closeDashboardWorker(worker) };
}
