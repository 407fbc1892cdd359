import { Job, type Queue, type QueueEvents } from 'bullmq';
import { statusOfDashboardErrorBody } from '../../domain/dashboards/errorBodies.js';

export type ReconcileOutcome =
  | { kind: 'completed'; dashboard: unknown }
  | { kind: 'failed'; status: number; body: unknown }
  | { kind: 'pending'; jobId: string };

const INTERNAL_ERROR = { detail: 'Internal Error' };

/**
 * Waits up to `waitMs` for a reconcile job and says how it ended. Whatever `waitUntilFinished` reports (a failure,
 * the time running out, the queue closing), the job's own state decides: a job that finished a moment after the
 * timer is still answered 200, and one still queued or running is "pending".
 */
export async function awaitReconcileJob(queue: Queue, queueEvents: QueueEvents, job: Job, waitMs: number): Promise<ReconcileOutcome> {
  try {
    return { kind: 'completed', dashboard: await job.waitUntilFinished(queueEvents, waitMs) };
  } catch {
    return readOutcome(queue, String(job.id));
  }
}

async function readOutcome(queue: Queue, jobId: string): Promise<ReconcileOutcome> {
  const job = await Job.fromId(queue, jobId);
  const state = job ? await job.getState() : 'unknown';
  if (job && state === 'completed') return { kind: 'completed', dashboard: job.returnvalue };
  if (job && state === 'failed') return failedOutcome(job.failedReason);
  return { kind: 'pending', jobId };
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
