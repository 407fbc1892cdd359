import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { AssembleStatusRef, AssembleStatusStore } from '../../adapters/redis/assembleStatusStore.js';
import { ASSEMBLE_TASK } from '../../domain/assembleStatus.js';
import { ASSEMBLE_JOB, ASSEMBLE_PAYLOAD_SCHEMAS } from '../../jobs/assembleJobs.js';

/** BullMQ's failed reason for a job whose worker died more often than `maxStalledCount` allows. */
const STALLED_REASON = 'job stalled more than allowable limit';

export const STALLED_DETAIL = 'assembly abandoned: the worker assembling this bundle stopped (crashed or was killed) too many times';

/** What the assemble status says about a job BullMQ failed for good, by its failed reason. */
export function givenUpDetail(reason: string): string {
  if (reason === STALLED_REASON) return STALLED_DETAIL;
  return `assembly failed: ${reason}`;
}

/** The status a job's payload names, or null for a payload that never validated (nothing for a client to poll). */
function statusRefOf(job: Job): AssembleStatusRef | null {
  if (job.name !== ASSEMBLE_JOB.releaseBundle && job.name !== ASSEMBLE_JOB.artifactBundle) return null;
  const parsed = ASSEMBLE_PAYLOAD_SCHEMAS[job.name].safeParse(job.data);
  if (!parsed.success) return null;
  const task = job.name === ASSEMBLE_JOB.releaseBundle ? ASSEMBLE_TASK.releaseBundle : ASSEMBLE_TASK.artifactBundle;
  return { scope: parsed.data.organizationId, checksum: parsed.data.checksum, task };
}

/** True when BullMQ will not run the job again (no attempt left, an UnrecoverableError, a stalled-too-often job). */
function isFinalFailure(job: Job, err: Error): boolean {
  return Boolean(job.finishedOn) || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}

/**
 * A job can end failed without its processor saying so: BullMQ fails a job that stalled more than
 * `maxStalledCount` times (its workers died) when the next worker takes it, and runs no processor. Any job that
 * ends failed and left its status `created` or `assembling` gets `error` with what happened, so that polls (and
 * `sentry-cli --wait`) stop at once instead of waiting for the TTL. A status the processor already made final
 * (`error` with the real reason) is kept, and so is the absence of one.
 */
export async function reportGivenUpJob(store: AssembleStatusStore, job: Job | undefined, err: Error, logger: Logger): Promise<void> {
  if (!job || !isFinalFailure(job, err)) return;
  const ref = statusRefOf(job);
  const data = job.data as { organizationId?: unknown; version?: unknown; checksum?: unknown };
  const log = logger.child({ jobId: job.id, jobName: job.name, organizationId: data.organizationId, release: data.version, checksum: data.checksum });
  if (!ref) {
    log.error({ reason: err.message }, 'assemble job given up (no status to report to)');
    return;
  }
  // Only a status still in flight is corrected. A final one is the processor's own word, and no status at all means
  // a request already answered (and forgot) a retryable error: writing `error` then would cache it as final.
  const current = await store.get(ref);
  if (current?.state !== 'created' && current?.state !== 'assembling') return;
  const detail = givenUpDetail(err.message);
  await store.set(ref, 'error', detail);
  log.error({ reason: err.message, detail }, 'assemble job given up');
}
