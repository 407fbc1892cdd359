/**
 * One error class for the whole service. `code` is stable (logs, metrics, tests and the failure policy key on it);
 * `message` is what a user sees (the assemble status detail, the job failure reason, an HTTP error body).
 */
export type AppErrorCode =
  // permanent: the input is wrong and retrying cannot help
  | 'invalid_payload'
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'file_too_large'
  | 'chunks_missing'
  | 'checksum_mismatch'
  | 'bundle_invalid'
  | 'bundle_limit_exceeded'
  | 'org_mismatch'
  | 'release_mismatch'
  | 'release_not_found'
  | 'release_required'
  | 'project_required'
  | 'debug_ids_or_release_required'
  | 'extract_failed'
  | 'id_exhausted'
  // transient: the world was briefly unwell; a retry may succeed
  | 'db_unavailable'
  | 'db_conflict'
  | 'redis_unavailable'
  | 'storage_unavailable'
  | 'lock_timeout'
  // a bug or an unclassified failure
  | 'internal';

export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: AppErrorCode,
    message: string,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details;
  }

  readonly details: unknown;
}

export function isAppError(err: unknown, code?: AppErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

const TRANSIENT_CODES: ReadonlySet<AppErrorCode> = new Set<AppErrorCode>([
  'db_unavailable',
  'db_conflict',
  'redis_unavailable',
  'storage_unavailable',
  'lock_timeout',
]);

/** True when retrying the same work later may succeed. Exhaustive by construction: unknown codes are permanent. */
export function isTransientCode(code: AppErrorCode): boolean {
  return TRANSIENT_CODES.has(code);
}
