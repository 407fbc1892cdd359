import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { deleteAllReleaseFiles } from '../../releases/deleteAllReleaseFiles.js';
import { RELEASE_NOT_FOUND, findScopedRelease } from '../../releases/findScopedRelease.js';
import type { ReleaseScope } from '../../releases/releaseDeps.js';
import '../requestContext.js';
import type { HttpRouteDeps } from '../routeDeps.js';

/** `name` is the release version; Sentry answers 404 without it. */
const querySchema = z.object({ name: z.string().min(1).optional() });

/**
 * Project scope: `DELETE files/source-maps/?name=VERSION`, what `sentry-cli releases files VERSION delete --all`
 * calls. It empties the release of every release file (single files, archives and their indexes) and answers 204;
 * a release that is not the project's, or no `name`, is a 404.
 */
export function sourceMapsRoutes(deps: HttpRouteDeps, scopeOf: (request: FastifyRequest) => ReleaseScope): FastifyPluginAsync {
  return async (app) => {
    app.delete('/files/source-maps/', async (request, reply) => {
      const parsed = querySchema.safeParse(request.query);
      const version = parsed.success ? parsed.data.name : undefined;
      if (!version) throw new AppError('not_found', RELEASE_NOT_FOUND);
      const release = await findScopedRelease(deps.db, scopeOf(request), version);
      await deleteAllReleaseFiles({ db: deps.db, blobs: deps.blobs }, release.id);
      return reply.code(204).send();
    });
  };
}
