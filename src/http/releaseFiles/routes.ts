import type { FastifyPluginAsync } from 'fastify';
import type { HttpRouteDeps } from '../routeDeps.js';

/** Organisation scope: releases/{version}/files/ list, download, delete. */
export function organizationReleaseFileRoutes(_deps: HttpRouteDeps): FastifyPluginAsync {
  return async () => {};
}

/** Project scope: the same for `/api/0/projects/{org}/{project}/releases/{version}/files/`. */
export function projectReleaseFileRoutes(_deps: HttpRouteDeps): FastifyPluginAsync {
  return async () => {};
}
