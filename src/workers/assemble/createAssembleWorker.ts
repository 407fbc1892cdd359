import type { ConnectionOptions, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { ASSEMBLE_QUEUE, type ReleaseBundlePayload } from '../../jobs/assembleJobs.js';
import { createLoggedWorker } from '../createLoggedWorker.js';
import { recordAssembled } from '../jobMetrics.js';
import { processAssembleJob, type AssembleJobResult, type AssembleProcessorDeps } from './processor.js';
import { reportGivenUpJob } from './givenUpJobs.js';
import { sweepOrphanedTempDirs } from './withTempDir.js';
import { ASSEMBLE_TEMP_PREFIX } from './assembleReleaseBundle.js';

export interface AssembleWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  logger: Logger;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** how often the temp folders of killed workers on this host are swept (also once at start); default 5 minutes */
  tempSweepIntervalMs?: number;
}

export const DEFAULT_TEMP_SWEEP_INTERVAL_MS = 5 * 60 * 1000;

/** The assemble worker: the `assemble-artifacts` queue, wired to its processor. */
export function createAssembleWorker(
  deps: Omit<AssembleProcessorDeps, 'logger'>,
  options: AssembleWorkerOptions,
): Worker<unknown, AssembleJobResult> {
  const { tempSweepIntervalMs = DEFAULT_TEMP_SWEEP_INTERVAL_MS, ...workerOptions } = options;
  const worker = createLoggedWorker<unknown, AssembleJobResult>(
    {
      queueName: ASSEMBLE_QUEUE,
      ...workerOptions,
      describeJob: (job) => {
        const data = job.data as Partial<ReleaseBundlePayload>;
        return { organizationId: data.organizationId, release: data.version, checksum: data.checksum };
      },
    },
    async (job, log) => {
      const outcome = await processAssembleJob({ ...deps, logger: log }, job, log);
      recordAssembled(job.name, outcome);
      return outcome;
    },
  );
  worker.on('failed', (job, err) => {
    reportGivenUpJob(deps.statusStore, job, err, options.logger).catch((reportErr: unknown) =>
      options.logger.warn({ err: reportErr, jobId: job?.id }, 'could not report a failed assemble job'),
    );
  });
  sweepTempDirsWhileRunning(worker, deps.settings.tempDir, tempSweepIntervalMs, options.logger);
  return worker;
}

/**
 * A killed worker skips the `finally` that removes its job's temp folder. Every worker sweeps such folders of this
 * host at start and then periodically, so a worker killed while others keep running (no restart) leaves nothing
 * behind either; live workers' folders are told apart by their process id and start time (see withTempDir).
 */
function sweepTempDirsWhileRunning(worker: Worker, tempDir: string, intervalMs: number, logger: Logger): void {
  const sweep = () =>
    sweepOrphanedTempDirs(tempDir, ASSEMBLE_TEMP_PREFIX).then(
      (swept) => swept.length > 0 && logger.warn({ swept }, 'removed temp folders left by crashed workers'),
      (err: unknown) => logger.warn({ err }, 'could not sweep temp folders'),
    );
  void sweep();
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  worker.once('closed', () => clearInterval(timer));
}
