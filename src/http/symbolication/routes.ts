import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { symbolicateJsBodySchema, toSymbolicateJsRequest } from '../../domain/symbolication/requestSchema.js';
import { symbolicateJs, type SymbolicationDeps } from '../../symbolication/symbolicateJs.js';
import '../requestContext.js';

/**
 * Project scope: `POST /symbolicate/` takes Symbolicator's JavaScript request and answers in its shape, from the
 * artifacts stored for this organisation and project only.
 */
export function symbolicationRoutes(deps: SymbolicationDeps): FastifyPluginAsync {
  return async (app) => {
    app.post('/symbolicate/', async (request, reply) => {
      const parsed = symbolicateJsBodySchema.safeParse(request.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join('.');
        throw new AppError('validation_failed', issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'Invalid request');
      }
      const scope = { organizationId: request.organization.id, projectId: request.project.id };
      return reply.send(await symbolicateJs(deps, scope, toSymbolicateJsRequest(parsed.data)));
    });
  };
}
