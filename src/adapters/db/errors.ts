import { AppError } from '../../domain/errors.js';

/** Postgres SQLSTATEs this service reacts to by name. */
export const PG_ERROR = {
  foreignKeyViolation: '23503',
  uniqueViolation: '23505',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  lockNotAvailable: '55P03',
  adminShutdown: '57P01',
  crashShutdown: '57P02',
  cannotConnectNow: '57P03',
  tooManyConnections: '53300',
} as const;

/** The SQLSTATE of a Postgres error (as `pg` reports it and Kysely passes it through), if `err` is one. */
export function pgErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code } = err as { code?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

const SOCKET_CODES = new Set([
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
]);

/** What `pg` throws (without a code) when a connection drops or cannot be made in time. */
const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
];

function isConnectionFailure(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message, errors } = err as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  if (typeof message === 'string' && CONNECTION_MESSAGES.some((re) => re.test(message))) return true;
  // Node's connect with several addresses (localhost as ::1 and 127.0.0.1) fails with an AggregateError.
  return Array.isArray(errors) && errors.length > 0 && errors.every(isConnectionFailure);
}

function isUnavailableState(sqlState: string): boolean {
  return (
    sqlState.startsWith('08') || // connection exception class
    sqlState === PG_ERROR.adminShutdown ||
    sqlState === PG_ERROR.crashShutdown ||
    sqlState === PG_ERROR.cannotConnectNow ||
    sqlState === PG_ERROR.tooManyConnections
  );
}

/**
 * Maps driver errors that a retry may cure onto transient AppErrors: connection trouble and shutdowns become
 * `db_unavailable`, serialization failures and deadlocks `db_conflict`, lock timeouts `lock_timeout`. Everything
 * else (AppErrors included) is returned unchanged. Use as `catch (err) { throw translateDbError(err) }`.
 */
export function translateDbError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const sqlState = pgErrorCode(err);
  if (sqlState === PG_ERROR.serializationFailure || sqlState === PG_ERROR.deadlockDetected) {
    return new AppError('db_conflict', 'Database conflict, try again', { cause: err, details: { sqlState } });
  }
  if (sqlState === PG_ERROR.lockNotAvailable) {
    return new AppError('lock_timeout', 'Timed out waiting for a database lock', { cause: err, details: { sqlState } });
  }
  if ((sqlState !== undefined && isUnavailableState(sqlState)) || isConnectionFailure(err)) {
    return new AppError('db_unavailable', 'Database unavailable', { cause: err, details: { sqlState } });
  }
  return err;
}

/** Runs `fn`, rethrowing driver errors through `translateDbError`. */
export async function withDbErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translateDbError(err);
  }
}

export function isForeignKeyViolation(err: unknown): boolean {
  return pgErrorCode(err) === PG_ERROR.foreignKeyViolation;
}
