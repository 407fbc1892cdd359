import { Worker, type ConnectionOptions, type Job, type Processor } from 'bullmq';
import type { Logger } from 'pino';
import { recordJob } from './jobMetrics.js';

export interface LoggedWorkerOptions {
  queueName: string;
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** extra log fields taken from a job's payload (e.g. org and release) */
  describeJob?: (job: Job) => Record<string, unknown>;
  /** what the finish line says about the result (default: the result itself; keep it small) */
  summarizeResult?: (result: never) => Record<string, unknown>;
  /** how long a job lock lives without renewal; a crashed worker's job is picked up again after it */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export type JobLogger = Logger;

/**
 * Wraps a BullMQ Worker so that every job logs start, finish and failure exactly once, with a child logger carrying
 * queue, job name, job id, attempt and whatever the job's payload says about itself.
 */
export function createLoggedWorker<T, R>(
  options: LoggedWorkerOptions,
  process: (job: Job<T, R>, log: JobLogger) => Promise<R>,
): Worker<T, R> {
  const processor: Processor<T, R> = async (job) => {
    const log = options.logger.child({
      queue: options.queueName,
      jobName: job.name,
      jobId: job.id,
      attempt: job.attemptsMade + 1,
      ...safeDescribe(options.describeJob, job),
    });
    const started = performance.now();
    log.info('job started');
    try {
      const result = await process(job, log);
      const summary = options.summarizeResult ? options.summarizeResult(result as never) : { result };
      const elapsedMs = performance.now() - started;
      recordJob(options.queueName, job.name, 'completed', elapsedMs / 1000);
      log.info({ durationMs: Math.round(elapsedMs), ...summary }, 'job finished');
      return result;
    } catch (err) {
      const elapsedMs = performance.now() - started;
      recordJob(options.queueName, job.name, 'failed', elapsedMs / 1000);
      log.warn({ err, durationMs: Math.round(elapsedMs) }, 'job failed');
      throw err;
    }
  };
  const worker = new Worker<T, R>(options.queueName, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
  });
  // Connection trouble is reported here rather than crashing the process; BullMQ reconnects by itself.
  worker.on('error', (err) => options.logger.error({ err, queue: options.queueName }, 'worker error'));
  return worker;
}

function safeDescribe(describe: LoggedWorkerOptions['describeJob'], job: Job): Record<string, unknown> {
  try {
    return describe ? describe(job) : {};
  } catch {
    return {};
  }
}
