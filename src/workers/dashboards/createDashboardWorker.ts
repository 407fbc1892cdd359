import type { ConnectionOptions, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { DASHBOARD_QUEUE, type ReconcileDashboardPayload, type ReconcileDashboardResult } from '../../jobs/dashboardJobs.js';
import type { DashboardDeps } from './dashboardAccess.js';
import { createLoggedWorker } from '../createLoggedWorker.js';
import { processDashboardJob } from './processor.js';

export interface DashboardWorkerOptions {
  /** a connection for a BullMQ worker (ioredis with `maxRetriesPerRequest: null`, or its options) */
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  deps: DashboardDeps;
  logger: Logger;
}

/**
 * The dashboard worker: consumes `reconcile` jobs. Start, finish and failure of every job are logged once here,
 * with a child logger that carries queue, job name, job id, attempt, organisation and dashboard. The finish line
 * carries a summary, not the serialized dashboard. Close it with `closeDashboardWorker`.
 */
export function createDashboardWorker(options: DashboardWorkerOptions): Worker<ReconcileDashboardPayload, ReconcileDashboardResult> {
  return createLoggedWorker<ReconcileDashboardPayload, ReconcileDashboardResult>(
    {
      queueName: DASHBOARD_QUEUE,
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      logger: options.logger,
      describeJob: (job) => {
        const data = (job.data ?? {}) as Partial<ReconcileDashboardPayload>;
        return { organizationId: data.organizationId, dashboardId: data.dashboardId };
      },
      summarizeResult: (result: ReconcileDashboardResult) => ({ widgets: Array.isArray(result.widgets) ? result.widgets.length : 0 }),
    },
    (job, log) => processDashboardJob(options.deps, job, log),
  );
}

/** Stops taking jobs and waits for the running ones; after `timeoutMs`, closes without waiting (they are retried). */
export async function closeDashboardWorker(worker: Worker, timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => resolve(worker.close(true)), timeoutMs);
  });
  try {
    await Promise.race([worker.close(), forced]);
  } finally {
    clearTimeout(timer);
  }
}
