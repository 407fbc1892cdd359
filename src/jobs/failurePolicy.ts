import { AppError, isTransientCode } from '../domain/errors.js';

/** Local disk codes (temp folder or disk blob store) that say "no room", whichever adapter (or none) saw them. */
const NO_SPACE_CODES: Record<string, string> = { ENOSPC: 'no space left', EDQUOT: 'disk quota exceeded' };

const STORAGE_REASONS: Record<string, string> = {
  ...NO_SPACE_CODES,
  EIO: 'I/O error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ESTALE: 'stale file handle',
};

/**
 * A full disk is a dependency problem, not a bug, wherever it is met: a raw ENOSPC (a temp file the chunk joiner
 * writes) becomes `storage_unavailable` like one the blob store translated. Anything else is returned unchanged.
 */
export function translateNoSpaceError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in NO_SPACE_CODES) {
    return new AppError('storage_unavailable', `Storage unavailable: ${NO_SPACE_CODES[code]}`, { cause: err });
  }
  return err;
}

/** Why a blob store or disk failed, in a few words, from the driver error an AppError carries as its cause. */
function storageReason(cause: unknown): string {
  const { code, name, $metadata } = (typeof cause === 'object' && cause !== null ? cause : {}) as {
    code?: unknown;
    name?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  if (typeof code === 'string' && code in STORAGE_REASONS) return STORAGE_REASONS[code]!;
  const status = $metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return `the blob store answered HTTP ${status}`;
  if (status === 429 || name === 'SlowDown') return 'the blob store is throttling requests';
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `cannot reach the blob store (${code})`;
  return 'temporary failure';
}

/**
 * The assemble status detail for a transient failure that outlasted every attempt: what happened, in words a user
 * can act on (`storage unavailable: no space left`), never a stack or an internal path.
 */
export function transientFailureDetail(error: AppError): string {
  switch (error.code) {
    case 'storage_unavailable':
      return `storage unavailable: ${storageReason(error.cause)}`;
    case 'db_unavailable':
      return 'database unavailable';
    case 'redis_unavailable':
      return 'redis unavailable';
    default:
      return 'database busy';
  }
}

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
