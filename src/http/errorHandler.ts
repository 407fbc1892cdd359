import type { FastifyError, FastifyInstance } from 'fastify';
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

/** The HTTP status of any thrown value: AppError codes, fastify's own 4xx errors (body too large, bad JSON), else 500. */
export function statusOf(err: unknown): number {
  if (isAppError(err)) return STATUS_BY_CODE[err.code] ?? (isTransientCode(err.code) ? 503 : 500);
  const status = (err as Partial<FastifyError>).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/** Every error becomes JSON `{detail}`; 5xx details never carry internals (they are logged instead). */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler(async (err, request, reply) => {
    const status = statusOf(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    const detail = status === 503 ? 'Service temporarily unavailable' : status >= 500 ? 'Internal Error' : (err as Error).message;
    return reply.code(status).send({ detail });
  });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ detail: NOT_FOUND_DETAIL }));
}
