import type { FastifyPluginAsync } from 'fastify';
import type { HttpRouteDeps } from '../routeDeps.js';

/** Organisation scope: POST artifactbundle/assemble/ (issue 4). */
export function artifactBundleAssembleRoutes(_deps: HttpRouteDeps): FastifyPluginAsync {
  return async () => {};
}

/** Project scope: GET artifact-lookup/ and bundle member downloads (issue 4). */
export function artifactLookupRoutes(_deps: HttpRouteDeps): FastifyPluginAsync {
  return async () => {};
}
