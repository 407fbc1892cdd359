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
}

/** The assemble worker: the `assemble-artifacts` queue, wired to its processor. */
export function createAssembleWorker(
  deps: Omit<AssembleProcessorDeps, 'logger'>,
  options: AssembleWorkerOptions,
): Worker<unknown, AssembleJobResult> {
  sweepOrphanedTempDirs(deps.settings.tempDir, ASSEMBLE_TEMP_PREFIX).then(
    (swept) => swept.length > 0 && options.logger.warn({ swept }, 'removed temp folders left by crashed workers'),
    (err: unknown) => options.logger.warn({ err }, 'could not sweep temp folders'),
  );
  const worker = createLoggedWorker<unknown, AssembleJobResult>(
    {
      queueName: ASSEMBLE_QUEUE,
      ...options,
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
  return worker;
}
