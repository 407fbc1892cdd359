import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { AssembleStatusStore, AssembleStatusRef } from '../../adapters/redis/assembleStatusStore.js';
import { translateDbError } from '../../adapters/db/errors.js';
import { ASSEMBLE_TASK } from '../../domain/assembleStatus.js';
import { ASSEMBLE_JOB, ASSEMBLE_PAYLOAD_SCHEMAS, type AssembleJobName } from '../../jobs/assembleJobs.js';
import { classifyFailure, isLastAttempt } from '../../jobs/failurePolicy.js';
import { assembleReleaseBundle, type AssembleDeps, type ReleaseBundleOutcome } from './assembleReleaseBundle.js';

export interface AssembleProcessorDeps extends AssembleDeps {
  statusStore: AssembleStatusStore;
}

export type AssembleJobResult = ReleaseBundleOutcome;

const INTERNAL_ERROR_DETAIL = 'internal server error';

/**
 * The BullMQ boundary of the assemble worker: validates the payload before anything else, keeps the assemble status
 * that clients poll, and turns failures into BullMQ's terms (UnrecoverableError = no retries).
 */
export async function processAssembleJob(deps: AssembleProcessorDeps, job: Job, log: Logger): Promise<AssembleJobResult> {
  const name = job.name as AssembleJobName;
  if (name !== ASSEMBLE_JOB.releaseBundle) {
    throw new UnrecoverableError(`unsupported job "${job.name}" on the assemble queue`);
  }
  const parsed = ASSEMBLE_PAYLOAD_SCHEMAS[name].safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(`invalid ${name} payload: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  }
  const payload = parsed.data;
  const ref: AssembleStatusRef = { scope: payload.organizationId, checksum: payload.checksum, task: ASSEMBLE_TASK.releaseBundle };
  await deps.statusStore.set(ref, 'assembling');
  try {
    const outcome = await assembleReleaseBundle({ ...deps, logger: log }, payload);
    await deps.statusStore.set(ref, 'ok');
    return outcome;
  } catch (err) {
    throw await reportFailure(deps, job, ref, err, log);
  }
}

async function reportFailure(
  deps: AssembleProcessorDeps,
  job: Job,
  ref: AssembleStatusRef,
  err: unknown,
  log: Logger,
): Promise<Error> {
  const decision = classifyFailure(translateDbError(err));
  if (decision.kind === 'permanent') {
    await deps.statusStore.set(ref, 'error', decision.error.message);
    return new UnrecoverableError(decision.error.message);
  }
  if (decision.kind === 'unexpected') log.error({ err }, 'failed to assemble bundle');
  if (isLastAttempt(job.attemptsMade, job.opts.attempts)) await deps.statusStore.set(ref, 'error', INTERNAL_ERROR_DETAIL);
  return decision.error instanceof Error ? decision.error : new Error(String(decision.error));
}

function describeIssue(issue: { path: PropertyKey[]; message: string }): string {
  return `${issue.path.map(String).join('.') || '(payload)'} ${issue.message}`;
}
