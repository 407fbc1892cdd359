import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Job outcomes and durations of the workers running in this process. Process-wide on purpose: the HTTP front merges
 * it into /metrics when the workers share its process (`assembler all`), and a worker-only process serves it on
 * METRICS_PORT. Either way a scrape sees the jobs this process ran.
 */
export const jobMetricsRegistry = new Registry();

const labelNames = ['queue', 'job', 'outcome'] as const;

const processed = new Counter({
  name: 'bullmq_jobs_processed_total',
  help: 'Jobs this process ran, by queue, job name and outcome (completed, failed)',
  labelNames,
  registers: [jobMetricsRegistry],
});

const duration = new Histogram({
  name: 'bullmq_job_duration_seconds',
  help: 'Duration of the jobs this process ran, by queue, job name and outcome',
  labelNames,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [jobMetricsRegistry],
});

export function recordJob(queue: string, job: string, outcome: 'completed' | 'failed', seconds: number): void {
  processed.inc({ queue, job, outcome });
  duration.observe({ queue, job, outcome }, seconds);
}

const storedBytes = new Counter({
  name: 'assembled_bytes_total',
  help: 'Bytes of the bundles this process assembled and stored, by job name and storage mode',
  labelNames: ['job', 'mode'] as const,
  registers: [jobMetricsRegistry],
});

const storedFiles = new Counter({
  name: 'assembled_files_total',
  help: 'Files of the bundles this process assembled and stored, by job name and storage mode',
  labelNames: ['job', 'mode'] as const,
  registers: [jobMetricsRegistry],
});

/** What one assemble job stored; an empty bundle counts nothing. */
export function recordAssembled(job: string, outcome: { mode: string; files: number; bytes?: number }): void {
  if (outcome.files === 0) return;
  storedFiles.inc({ job, mode: outcome.mode }, outcome.files);
  if (outcome.bytes !== undefined) storedBytes.inc({ job, mode: outcome.mode }, outcome.bytes);
}

/** The stages of an assemble job, timed separately: where a slow job spends its time (DESIGN.md section 7). */
export type AssembleStage = 'join_chunks' | 'open_bundle' | 'store';

const stageDuration = new Histogram({
  name: 'assemble_stage_duration_seconds',
  help: 'Duration of each stage of the assemble jobs this process ran (join_chunks, open_bundle, store), by job name',
  labelNames: ['job', 'stage'] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [jobMetricsRegistry],
});

/** Runs one stage of an assemble job and observes how long it took, whether it succeeded or not. */
export async function timeStage<T>(job: string, stage: AssembleStage, work: () => Promise<T>): Promise<T> {
  const stop = stageDuration.startTimer({ job, stage });
  try {
    return await work();
  } finally {
    stop();
  }
}
