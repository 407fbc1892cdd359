import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ArtifactScope } from '../../artifacts/bundleContent.js';
import { AppError } from '../../domain/errors.js';
import '../requestContext.js';

/** What both lookup routes share: the request's scope and query validation with a 400 that names the field. */
export function scopeOf(request: FastifyRequest): ArtifactScope {
  return { organizationId: request.organization.id, projectId: request.project.id };
}

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.');
    throw new AppError('validation_failed', issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'Invalid request');
  }
  return result.data;
}
