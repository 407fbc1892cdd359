import { AppError } from '../../domain/errors.js';

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** What ioredis (and BullMQ on top of it) throws when a command cannot reach the server. */
const CONNECTION_MESSAGES = [
  /^Connection is closed\.?$/,
  /^Reached the max retries per request limit/,
  /^Stream isn't writeable/,
  /^connect E[A-Z]+/,
  /^read ECONNRESET/,
  /^LOADING /,
  /^MASTERDOWN /,
  /^READONLY /,
  // Redis Cluster while a master fails over: no master for the slot yet, or every re-send used up (FAILOVER_TUNING)
  /^CLUSTERDOWN /,
  /^TRYAGAIN /,
  /^Too many Cluster redirections/,
  /^Failed to refresh slots cache/,
  /^None of startup nodes is available/,
  /^Cluster isn't ready/,
];

/** True for a failure to reach Redis (refused, reset, reconnecting past the per-command retries, loading). */
export function isRedisConnectionFailure(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message, name } = err as { code?: unknown; message?: unknown; name?: unknown };
  if (name === 'MaxRetriesPerRequestError') return true;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.some((re) => re.test(message));
}

/** Redis connection failures become the transient `redis_unavailable`; anything else is returned unchanged. */
export function translateRedisError(err: unknown): unknown {
  if (err instanceof AppError || !isRedisConnectionFailure(err)) return err;
  return new AppError('redis_unavailable', 'Redis unavailable', { cause: err });
}
