import type { FastifyError, FastifyInstance } from 'fastify';
import { translateDbError } from '../adapters/db/errors.js';
import { translateRedisError } from '../adapters/redis/errors.js';
import { isAppError, isTransientCode, type AppErrorCode } from '../domain/errors.js';

const STATUS_BY_CODE: Partial<Record<AppErrorCode, number>> = {
  not_found: 404,
  validation_failed: 400,
  invalid_payload: 400,
  conflict: 409,
  forbidden: 403,
  // a stream cut off at its size cap anywhere below a route still answers as fastify's own body limit does
  file_too_large: 413,
};

export const NOT_FOUND_DETAIL = 'The requested resource does not exist';

/**
 * How long a client should wait before retrying a 503 (a dependency outage): sentry-cli retries 5xx answers with
 * its own backoff; other clients and proxies read this header.
 */
export const RETRY_AFTER_SECONDS = 5;

/**
 * A route may let a driver error through untranslated (a pool that cannot connect, a Redis command on a closed
 * connection): those are dependency outages too, and answer 503, not 500. Blob stores translate their own errors.
 */
function classify(err: unknown): unknown {
  return translateRedisError(translateDbError(err));
}

/** The HTTP status of any thrown value: AppError codes, fastify's own 4xx errors (body too large, bad JSON), else 500. */
export function statusOf(thrown: unknown): number {
  const err = classify(thrown);
  if (isAppError(err)) return STATUS_BY_CODE[err.code] ?? (isTransientCode(err.code) ? 503 : 500);
  const status = (err as Partial<FastifyError>).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/** Every error becomes JSON `{detail}`; 5xx details never carry internals (they are logged instead). */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler(async (err, request, reply) => {
    const status = statusOf(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    if (status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    const detail = status === 503 ? 'Service temporarily unavailable' : status >= 500 ? 'Internal Error' : (err as Error).message;
    return reply.code(status).send({ detail });
  });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ detail: NOT_FOUND_DETAIL }));
}
