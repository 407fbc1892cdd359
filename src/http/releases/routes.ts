import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { listRepositories } from '../../adapters/db/codeRepositories.js';
import { findPreviousReleaseWithCommits, listReleases } from '../../adapters/db/releaseQueries.js';
import { listReleaseProjectIds } from '../../adapters/db/releases.js';
import { isAppError } from '../../domain/errors.js';
import { pageOf, requestLinkHeader, requestedPage, type PageWindow } from '../pagination.js';
import { RELEASE_STATUS } from '../../domain/releases/releaseStatus.js';
import { serializeRepository } from '../../domain/releases/serializeCommit.js';
import { serializeDeploy } from '../../domain/releases/serializeDeploy.js';
import type { SerializeReleaseOptions } from '../../domain/releases/serializeRelease.js';
import { deleteRelease } from '../../releases/deleteRelease.js';
import { findScopedRelease } from '../../releases/findScopedRelease.js';
import { listReleaseCommits } from '../../releases/listReleaseCommits.js';
import type { ReleaseDeps, ReleaseScope } from '../../releases/releaseDeps.js';
import { createDeploy, listDeploys } from '../../releases/releaseDeploys.js';
import { serializeOneRelease, serializeReleases } from '../../releases/serializeReleases.js';
import { updateRelease } from '../../releases/updateRelease.js';
import { upsertRelease } from '../../releases/upsertRelease.js';
import type { HttpRouteDeps } from '../routeDeps.js';
import '../requestContext.js';
import { createDeployBody, createReleaseBody, parseBody, updateReleaseBody } from './schemas.js';

type VersionParams = { version: string };
type ListQuery = Record<string, string | undefined>;

/** Organisation scope: releases create/list/details/update/delete, deploys, previous-with-commits, repos. */
export function organizationReleaseRoutes(deps: HttpRouteDeps): FastifyPluginAsync {
  return async (app) => {
    installFieldErrors(app);
    const scopeOf = (request: FastifyRequest): ReleaseScope => ({ organizationId: request.organization.id });
    registerReleaseRoutes(app, deps, scopeOf, { projectScoped: false });

    app.get<{ Params: VersionParams; Querystring: ListQuery }>('/releases/:version/deploys/', async (request, reply) => {
      const page = requestedPage(request.query);
      const rows = await listDeploys(deps, scopeOf(request), request.params.version, { offset: page.offset, limit: page.perPage + 1 });
      return sendPage(request, reply, page, rows.map(serializeDeploy));
    });

    app.post<{ Params: VersionParams }>('/releases/:version/deploys/', async (request, reply) => {
      const body = parseBody(createDeployBody, request.body);
      const deploy = await createDeploy(deps, { scope: scopeOf(request), version: request.params.version, ...body });
      return reply.code(201).send(serializeDeploy(deploy));
    });

    // sentry-cli's `set-commits --local` starts its commit range at this release's last commit; `{}` means none.
    app.get<{ Params: VersionParams }>('/releases/:version/previous-with-commits/', async (request) => {
      const release = await findScopedRelease(deps.db, scopeOf(request), request.params.version);
      const previous = await findPreviousReleaseWithCommits(deps.db, release, await listReleaseProjectIds(deps.db, release.id));
      return previous ? serializeOneRelease(deps, previous) : {};
    });

    app.get<{ Querystring: ListQuery }>('/repos/', async (request, reply) => {
      const page = requestedPage(request.query);
      const rows = await listRepositories(deps.db, request.organization.id, { query: request.query.query, offset: page.offset, limit: page.perPage + 1 });
      return sendPage(request, reply, page, rows.map(serializeRepository));
    });
  };
}

/** Project scope (`/api/0/projects/{org}/{project}`): the release endpoints sentry-cli 2.x calls with one project. */
export function projectReleaseRoutes(deps: HttpRouteDeps): FastifyPluginAsync {
  return async (app) => {
    installFieldErrors(app);
    const scopeOf = (request: FastifyRequest): ReleaseScope => ({ organizationId: request.organization.id, projectId: request.project.id });
    registerReleaseRoutes(app, deps, scopeOf, { projectScoped: true });
  };
}

/** The routes both scopes share; a project scope limits every release to those linked to its project. */
function registerReleaseRoutes(
  app: FastifyInstance,
  deps: ReleaseDeps,
  scopeOf: (request: FastifyRequest) => ReleaseScope,
  { projectScoped }: { projectScoped: boolean },
): void {
  const detailsOptions = (scope: ReleaseScope): SerializeReleaseOptions => (scope.projectId ? { projectId: scope.projectId } : {});

  app.get<{ Querystring: ListQuery }>('/releases/', async (request, reply) => {
    const scope = scopeOf(request);
    const page = requestedPage(request.query);
    const releases = await listReleases(deps.db, {
      organizationId: scope.organizationId,
      projectId: scope.projectId,
      query: request.query.query,
      // Sentry's project list matches the query anywhere in the version; its organisation list by prefix
      queryMatch: projectScoped ? 'contains' : 'prefix',
      status: listStatus(request.query.status),
      offset: page.offset,
      limit: page.perPage + 1,
    });
    const options = scope.projectId ? { specializedToProjectId: scope.projectId } : {};
    return sendPage(request, reply, page, await serializeReleases(deps, scope.organizationId, releases, options));
  });

  app.post('/releases/', async (request, reply) => {
    const scope = scopeOf(request);
    const body = parseBody(createReleaseBody, request.body);
    const { release, created } = await upsertRelease(deps, {
      ...body,
      scope,
      // A project route links its own project (Sentry's project endpoint has no `projects` field).
      projects: projectScoped ? undefined : body.projects,
      userAgent: request.headers['user-agent'] ?? null,
    });
    // 208 Already Reported: Sentry's answer when the release existed, so clients can tell the two apart.
    return reply.code(created ? 201 : 208).send(await serializeOneRelease(deps, release, detailsOptions(scope)));
  });

  app.get<{ Params: VersionParams }>('/releases/:version/', async (request) => {
    const scope = scopeOf(request);
    const release = await findScopedRelease(deps.db, scope, request.params.version);
    return serializeOneRelease(deps, release, detailsOptions(scope));
  });

  // `sentry-cli releases info V --show-commits` reads this (at the scope it was given), in set-commits order
  app.get<{ Params: VersionParams; Querystring: ListQuery }>('/releases/:version/commits/', async (request, reply) => {
    const page = requestedPage(request.query);
    const rows = await listReleaseCommits(deps, scopeOf(request), request.params.version, { offset: page.offset, limit: page.perPage + 1 });
    return sendPage(request, reply, page, rows);
  });

  app.put<{ Params: VersionParams }>('/releases/:version/', async (request) => {
    const scope = scopeOf(request);
    const body = parseBody(updateReleaseBody, request.body);
    const release = await updateRelease(deps, { ...body, scope, version: request.params.version });
    return serializeOneRelease(deps, release, detailsOptions(scope));
  });

  app.delete<{ Params: VersionParams }>('/releases/:version/', async (request, reply) => {
    await deleteRelease(deps, scopeOf(request), request.params.version);
    return reply.code(204).send();
  });
}

/** Both lists show open releases unless `status=archived` is asked for, as Sentry's do. */
function listStatus(status: string | undefined): number {
  return status === 'archived' ? RELEASE_STATUS.archived : RELEASE_STATUS.open;
}

function sendPage(request: FastifyRequest, reply: FastifyReply, page: PageWindow, rows: unknown[]) {
  const { items, hasNext } = pageOf(rows, page);
  return reply.header('Link', requestLinkHeader(request, page, hasNext)).send(items);
}

/**
 * Validation errors carry Sentry's body (`{"version": ["..."]}`) in their details; every other error goes on to
 * the app's handler (an error handler that throws hands over to its parent's).
 */
function installFieldErrors(app: FastifyInstance): void {
  app.setErrorHandler(async (err, _request, reply) => {
    if (isAppError(err, 'validation_failed') && isFieldErrors(err.details)) return reply.code(400).send(err.details);
    throw err;
  });
}

function isFieldErrors(details: unknown): details is Record<string, unknown[]> {
  return typeof details === 'object' && details !== null && !Array.isArray(details) && Object.values(details).every(Array.isArray);
}
