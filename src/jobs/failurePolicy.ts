import { AppError, isTransientCode } from '../domain/errors.js';

export type FailureDecision =
  | { kind: 'permanent'; error: AppError }
  | { kind: 'transient'; error: AppError }
  | { kind: 'unexpected'; error: unknown };

/**
 * One place decides what a failure means for a job: a permanent AppError fails the job at once (no retries); a
 * transient one is retried with backoff; anything else is a bug or an unclassified driver error, retried too
 * (it may be a blip), and reported as `internal server error` when the last attempt fails.
 */
export function classifyFailure(err: unknown): FailureDecision {
  if (err instanceof AppError) {
    return isTransientCode(err.code) ? { kind: 'transient', error: err } : { kind: 'permanent', error: err };
  }
  return { kind: 'unexpected', error: err };
}

/** BullMQ counts `attemptsMade` after each failed attempt, so inside the processor this is the 1-based attempt. */
export function isLastAttempt(attemptsMade: number, attempts: number | undefined): boolean {
  return attemptsMade + 1 >= (attempts ?? 1);
}
