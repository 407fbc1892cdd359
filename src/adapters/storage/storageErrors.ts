import { AppError } from '../../domain/errors.js';

/**
 * Driver errors become AppErrors where the failure policy needs to know what they mean: a missing object is
 * `not_found`, a briefly unwell backend is `storage_unavailable` (transient, retried). Anything else is returned
 * unchanged and treated as a bug by the failure policy.
 */

/** Socket-level failures, shared by both backends (fs over NFS can report some of them too). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Out of descriptors, busy, I/O error, full disk, stale NFS handle: the next attempt may well succeed. */
const TRANSIENT_FS_CODES = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EIO', 'ENOSPC', 'EDQUOT', 'ESTALE', 'EINTR', 'ETIMEDOUT']);

const S3_NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound']);

const S3_TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'NetworkingError',
]);

interface ErrorShape {
  code?: unknown;
  name?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function shapeOf(err: unknown): ErrorShape {
  return typeof err === 'object' && err !== null ? (err as ErrorShape) : {};
}

export function notFound(key: string, cause?: unknown): AppError {
  return new AppError('not_found', `Blob ${key} not found`, { cause, details: { key } });
}

function unavailable(key: string, operation: string, cause: unknown): AppError {
  return new AppError('storage_unavailable', `Blob storage unavailable (${operation} ${key})`, {
    cause,
    details: { key, operation },
  });
}

export function translateFsError(err: unknown, key: string, operation: string): unknown {
  if (err instanceof AppError) return err;
  const { code } = shapeOf(err);
  if (code === 'ENOENT') return notFound(key, err);
  if (typeof code === 'string' && (TRANSIENT_FS_CODES.has(code) || NETWORK_CODES.has(code))) {
    return unavailable(key, operation, err);
  }
  return err;
}

/**
 * The SDK's retry middleware re-wraps thrown values that are not `instanceof Error` (errors from another realm, as
 * under jest's vm modules) as "AWS SDK error wrapper for Error: connect ECONNREFUSED ...", keeping only the message.
 */
function networkCodeOf(code: unknown, err: unknown): string {
  if (typeof code === 'string') return code;
  const message = err instanceof Error ? err.message : '';
  return /^AWS SDK error wrapper for .*?\b(E[A-Z_]+)\b/.exec(message)?.[1] ?? '';
}

export function translateS3Error(err: unknown, key: string, operation: string): unknown {
  if (err instanceof AppError) return err;
  const { code, name, $retryable, $metadata } = shapeOf(err);
  const status = typeof $metadata?.httpStatusCode === 'number' ? $metadata.httpStatusCode : undefined;
  // A missing bucket is a configuration error, not a missing object (real S3 answers it with a 404 too).
  const missingObject = (typeof name === 'string' && S3_NOT_FOUND_NAMES.has(name)) || (status === 404 && name !== 'NoSuchBucket');
  if (missingObject) return notFound(key, err);
  const transient =
    (status !== undefined && (status >= 500 || status === 429)) ||
    (typeof name === 'string' && S3_TRANSIENT_NAMES.has(name)) ||
    NETWORK_CODES.has(networkCodeOf(code, err)) ||
    (typeof $retryable === 'object' && $retryable !== null);
  return transient ? unavailable(key, operation, err) : err;
}
