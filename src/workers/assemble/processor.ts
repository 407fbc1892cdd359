import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { AssembleStatusStore, AssembleStatusRef } from '../../adapters/redis/assembleStatusStore.js';
import { translateDbError } from '../../adapters/db/errors.js';
import { ASSEMBLE_TASK } from '../../domain/assembleStatus.js';
import { ASSEMBLE_JOB, ASSEMBLE_PAYLOAD_SCHEMAS, type AssembleJobName, type AssembleJobPayloads } from '../../jobs/assembleJobs.js';
import { classifyFailure, isLastAttempt, transientFailureDetail, translateNoSpaceError } from '../../jobs/failurePolicy.js';
import { assembleArtifactBundle, type ArtifactBundleOutcome } from './assembleArtifactBundle.js';
import { assembleReleaseBundle, type AssembleDeps, type ReleaseBundleOutcome } from './assembleReleaseBundle.js';

export interface AssembleProcessorDeps extends AssembleDeps {
  statusStore: AssembleStatusStore;
}

export type AssembleJobResult = ReleaseBundleOutcome | ArtifactBundleOutcome;

const INTERNAL_ERROR_DETAIL = 'internal server error';

/**
 * The BullMQ boundary of the assemble worker: routes by job name, validates the payload before anything else, keeps
 * the assemble status that clients poll, and turns failures into BullMQ's terms (UnrecoverableError = no retries).
 */
export async function processAssembleJob(deps: AssembleProcessorDeps, job: Job, log: Logger): Promise<AssembleJobResult> {
  switch (job.name) {
    case ASSEMBLE_JOB.releaseBundle: {
      const payload = parsePayload(ASSEMBLE_JOB.releaseBundle, job.data);
      const ref = { scope: payload.organizationId, checksum: payload.checksum, task: ASSEMBLE_TASK.releaseBundle };
      return runWithStatus(deps, job, ref, log, () => assembleReleaseBundle({ ...deps, logger: log }, payload));
    }
    case ASSEMBLE_JOB.artifactBundle: {
      const payload = parsePayload(ASSEMBLE_JOB.artifactBundle, job.data);
      const ref = { scope: payload.organizationId, checksum: payload.checksum, task: ASSEMBLE_TASK.artifactBundle };
      return runWithStatus(deps, job, ref, log, () => assembleArtifactBundle({ ...deps, logger: log }, payload));
    }
    default:
      throw new UnrecoverableError(`unsupported job "${job.name}" on the assemble queue`);
  }
}

function parsePayload<N extends AssembleJobName>(name: N, data: unknown): AssembleJobPayloads[N] {
  const parsed = ASSEMBLE_PAYLOAD_SCHEMAS[name].safeParse(data);
  if (!parsed.success) {
    throw new UnrecoverableError(`invalid ${name} payload: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  }
  return parsed.data as AssembleJobPayloads[N];
}

/**
 * `assembling` while it runs, kept alive past the TTL however long the job takes (a poll never answers `not_found`
 * for a started job); `ok` only once everything is committed ("status never lies"); errors via the policy.
 */
async function runWithStatus<T>(
  deps: AssembleProcessorDeps,
  job: Job,
  ref: AssembleStatusRef,
  log: Logger,
  work: () => Promise<T>,
): Promise<T> {
  await deps.statusStore.set(ref, 'assembling');
  const keepAlive = keepStatusAlive(deps.statusStore, ref, log);
  try {
    const outcome = await work();
    await keepAlive.stop();
    await deps.statusStore.set(ref, 'ok');
    return outcome;
  } catch (err) {
    await keepAlive.stop();
    throw await reportFailure(deps, job, ref, err, log);
  }
}

/**
 * Rewrites `assembling` on the store's keep-alive interval. `stop` waits for a rewrite in flight, so that it can
 * never land after (and hide) the final status.
 */
function keepStatusAlive(store: AssembleStatusStore, ref: AssembleStatusRef, log: Logger): { stop: () => Promise<void> } {
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = store.set(ref, 'assembling').catch((err: unknown) => log.warn({ err }, 'could not refresh the assemble status'));
  }, store.keepAliveIntervalMs);
  timer.unref();
  return {
    // idempotent: called once on success and again if the final write itself fails
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}

async function reportFailure(
  deps: AssembleProcessorDeps,
  job: Job,
  ref: AssembleStatusRef,
  err: unknown,
  log: Logger,
): Promise<Error> {
  const decision = classifyFailure(translateNoSpaceError(translateDbError(err)));
  if (decision.kind === 'permanent') {
    await deps.statusStore.set(ref, 'error', decision.error.message);
    return new UnrecoverableError(decision.error.message);
  }
  if (decision.kind === 'unexpected') log.error({ err }, 'failed to assemble bundle');
  if (isLastAttempt(job.attemptsMade, job.opts.attempts)) {
    // A transient failure says what happened and is answered once, not cached as final: the next request assembles
    // again (a freed disk, a healed blob store) without waiting out the status TTL.
    if (decision.kind === 'transient') await deps.statusStore.setRetryableError(ref, transientFailureDetail(decision.error));
    else await deps.statusStore.set(ref, 'error', INTERNAL_ERROR_DETAIL);
  }
  return decision.error instanceof Error ? decision.error : new Error(String(decision.error));
}

function describeIssue(issue: { path: PropertyKey[]; message: string }): string {
  return `${issue.path.map(String).join('.') || '(payload)'} ${issue.message}`;
}
