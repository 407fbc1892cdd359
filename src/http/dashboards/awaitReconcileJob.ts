import { Job, type Queue, type QueueEvents } from 'bullmq';
import { statusOfDashboardErrorBody } from '../../domain/dashboards/errorBodies.js';

export type ReconcileOutcome =
  | { kind: 'completed'; dashboard: unknown }
  | { kind: 'failed'; status: number; body: unknown }
  | { kind: 'pending'; jobId: string };

/** What waiting on a PUT's job needs besides the queue: the durable truth (Postgres) and a way to enqueue again. */
export interface ReconcileWait {
  queue: Queue;
  queueEvents: QueueEvents;
  /** true once the PUT's reconcile is committed (its receipt is in Postgres) */
  isApplied(): Promise<boolean>;
  /** enqueues the PUT's job again under the same job id (the worker applies a request id once) */
  enqueueAgain(): Promise<Job>;
}

/** How often a wait looks whether Redis still has the job (a failover with async replication can lose it). */
export const LOST_JOB_CHECK_MS = 1000;

const INTERNAL_ERROR = { detail: 'Internal Error' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Waits up to `waitMs` for a reconcile job and says how it ended. A completion is believed only once Postgres has
 * the PUT's receipt: Redis can lose writes when a master fails over, so its word alone could answer 200 for an
 * update that never happened. Every LOST_JOB_CHECK_MS the job's own state is read (a job that finished a moment
 * after the timer is still answered); a job Redis no longer has is enqueued again. Still queued or running at the
 * end: "pending".
 */
export async function awaitReconcileJob(wait: ReconcileWait, job: Job, waitMs: number): Promise<ReconcileOutcome> {
  const deadline = Date.now() + waitMs;
  const jobId = String(job.id);
  let current = job;
  for (;;) {
    const outcome = await waitSlice(wait, current, Math.min(LOST_JOB_CHECK_MS, deadline - Date.now()));
    if (outcome.kind === 'failed') return outcome;
    if (outcome.kind === 'completed') {
      if (await wait.isApplied()) return outcome;
      // completed in Redis, yet not in Postgres (a worker older than receipts): not a success to claim; look again later
      await sleep(Math.min(LOST_JOB_CHECK_MS, deadline - Date.now()));
    }
    if (outcome.kind === 'missing') current = await wait.enqueueAgain();
    if (Date.now() >= deadline) return { kind: 'pending', jobId };
  }
}

type SliceOutcome = Exclude<ReconcileOutcome, { kind: 'pending' }> | { kind: 'pending' } | { kind: 'missing' };

async function waitSlice(wait: ReconcileWait, job: Job, sliceMs: number): Promise<SliceOutcome> {
  // BullMQ treats a ttl of 0 as "no timeout": never pass it
  if (sliceMs > 0) {
    try {
      return { kind: 'completed', dashboard: await job.waitUntilFinished(wait.queueEvents, sliceMs) };
    } catch {
      // failed, timed out, the job is gone, or the queue is closing: its state below decides
    }
  }
  return readOutcome(wait.queue, String(job.id));
}

async function readOutcome(queue: Queue, jobId: string): Promise<SliceOutcome> {
  const job = await Job.fromId(queue, jobId);
  if (!job) return { kind: 'missing' };
  const state = await job.getState();
  if (state === 'completed') return { kind: 'completed', dashboard: job.returnvalue };
  if (state === 'failed') return failedOutcome(job.failedReason);
  if (state === 'unknown') return { kind: 'missing' };
  return { kind: 'pending' };
}

/** A permanent failure's reason is the error body as JSON; anything else is an internal error. */
export function failedOutcome(failedReason: string | undefined): ReconcileOutcome {
  try {
    const body: unknown = JSON.parse(failedReason ?? '');
    if (typeof body === 'object' || typeof body === 'string') return { kind: 'failed', status: statusOfDashboardErrorBody(body), body };
  } catch {
    // not one of ours: an unexpected error exhausted its retries
  }
  return { kind: 'failed', status: 500, body: INTERNAL_ERROR };
}
