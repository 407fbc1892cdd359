import type { FastifyPluginAsync } from 'fastify';
import type { HttpRouteDeps } from '../routeDeps.js';

/** Organisation scope: releases create/list/details/update/delete, deploys, repos. */
export function organizationReleaseRoutes(_deps: HttpRouteDeps): FastifyPluginAsync {
  return async () => {};
}

/** Project scope (`/api/0/projects/{org}/{project}`): the release endpoints sentry-cli 2.x calls with one project. */
export function projectReleaseRoutes(_deps: HttpRouteDeps): FastifyPluginAsync {
  return async () => {};
}
