import type { FastifyPluginAsync } from 'fastify';
import type { HttpRouteDeps } from '../routeDeps.js';

/** Organisation scope: chunk-upload GET/POST and POST releases/{version}/assemble/. */
export function uploadRoutes(_deps: HttpRouteDeps): FastifyPluginAsync {
  return async () => {};
}
