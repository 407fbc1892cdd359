import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { DASHBOARD_QUEUE, type ReconcileDashboardPayload, type ReconcileDashboardResult } from '../../jobs/dashboardJobs.js';
import type { DashboardDeps } from './dashboardAccess.js';
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
  const worker = new Worker<ReconcileDashboardPayload, ReconcileDashboardResult>(
    DASHBOARD_QUEUE,
    async (job) => runLogged(options, job),
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency },
  );
  // Connection trouble is reported, not thrown: BullMQ reconnects by itself.
  worker.on('error', (err) => options.logger.error({ err, queue: DASHBOARD_QUEUE }, 'dashboard worker error'));
  return worker;
}

async function runLogged(options: DashboardWorkerOptions, job: Job): Promise<ReconcileDashboardResult> {
  const data = (job.data ?? {}) as Partial<ReconcileDashboardPayload>;
  const log = options.logger.child({
    queue: DASHBOARD_QUEUE,
    jobName: job.name,
    jobId: job.id,
    attempt: job.attemptsMade + 1,
    organizationId: data.organizationId,
    dashboardId: data.dashboardId,
  });
  const started = performance.now();
  log.info('job started');
  try {
    const result = await processDashboardJob(options.deps, job, log);
    const widgets = Array.isArray(result.widgets) ? result.widgets.length : 0;
    log.info({ durationMs: Math.round(performance.now() - started), widgets }, 'job finished');
    return result;
  } catch (err) {
    log.warn({ err, durationMs: Math.round(performance.now() - started) }, 'job failed');
    throw err;
  }
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
