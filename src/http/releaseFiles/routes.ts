import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { withReadSnapshot } from '../../adapters/db/readSnapshot.js';
import { AppError } from '../../domain/errors.js';
import { deleteReleaseFile } from '../../releases/deleteReleaseFile.js';
import { listReleaseArtifacts } from '../../releases/listReleaseArtifacts.js';
import { RELEASE_NOT_FOUND, findScopedRelease } from '../../releases/findScopedRelease.js';
import { findReleaseArtifact, openReleaseArtifact } from '../../releases/readReleaseFile.js';
import type { ReleaseScope } from '../../releases/releaseDeps.js';
import '../requestContext.js';
import type { HttpRouteDeps } from '../routeDeps.js';
import { sendDownload } from '../sendDownload.js';
import { serializeArtifact } from './serializeArtifact.js';
import { sourceMapsRoutes } from './sourceMapsRoutes.js';
import { releaseFileUploadRoutes } from './uploadRoutes.js';
import { cursorSchema, pageWindow, perPageSchema, requestLinkHeader } from '../pagination.js';

/** Organisation scope: releases/{version}/files/ list, upload, download, delete. */
export function organizationReleaseFileRoutes(deps: HttpRouteDeps): FastifyPluginAsync {
  return releaseFileRoutes(deps, (request) => ({ organizationId: request.organization.id }));
}

/** Project scope: the same for `/api/0/projects/{org}/{project}/releases/{version}/files/`, for the project's releases. */
export function projectReleaseFileRoutes(deps: HttpRouteDeps): FastifyPluginAsync {
  const scopeOf = (request: FastifyRequest): ReleaseScope => ({ organizationId: request.organization.id, projectId: request.project.id });
  return async (app) => {
    await app.register(releaseFileRoutes(deps, scopeOf));
    // `releases files VERSION delete --all`: outside the releases/ prefix, but the same release files
    await app.register(sourceMapsRoutes(deps, scopeOf));
  };
}

const stringList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));

const listQuerySchema = z.object({
  per_page: perPageSchema.optional(),
  cursor: cursorSchema.optional(),
  query: stringList,
  checksum: stringList,
});

/** Sentry downloads when `download` is present at all, whatever its value. */
const detailsQuerySchema = z.object({ download: z.union([z.string(), z.array(z.string())]).optional() });

const paramsSchema = z.object({ version: z.string().min(1), file_id: z.string().min(1).optional() });

function releaseFileRoutes(deps: HttpRouteDeps, scopeOf: (request: FastifyRequest) => ReleaseScope): FastifyPluginAsync {
  const files = { db: deps.db, blobs: deps.blobs };
  return async (app) => {
    await app.register(releaseFileUploadRoutes(deps, scopeOf));

    app.get('/releases/:version/files/', async (request, reply) => {
      const query = parse(listQuerySchema, request.query);
      // one snapshot: the index a row points to is the one read, even while a bundle replaces it
      const artifacts = await withReadSnapshot(deps.db, async (db) => {
        const release = await findScopedRelease(db, scopeOf(request), versionOf(request));
        return listReleaseArtifacts({ ...files, db }, release.id, { query: query.query, checksums: query.checksum });
      });
      const window = pageWindow(query.per_page, query.cursor);
      const link = requestLinkHeader(request, window, window.offset + window.perPage < artifacts.length);
      return reply.header('Link', link).send(artifacts.slice(window.offset, window.offset + window.perPage).map(serializeArtifact));
    });

    app.get('/releases/:version/files/:file_id/', async (request, reply) => {
      const { download } = parse(detailsQuerySchema, request.query);
      // one snapshot from the release to the blob list: a file current when the request started is served whole
      // (its blobs outlive the file row by the GC grace period, see deleteFiles)
      const found = await withReadSnapshot(deps.db, async (db) => {
        const release = await findScopedRelease(db, scopeOf(request), versionOf(request));
        const artifact = await findReleaseArtifact({ ...files, db }, release.id, fileIdOf(request));
        if (!artifact) throw new AppError('not_found', RELEASE_NOT_FOUND);
        return { artifact, content: download === undefined ? null : await openReleaseArtifact({ ...files, db }, release.id, artifact) };
      });
      if (found.content === null) return reply.send(serializeArtifact(found.artifact));
      return sendDownload(reply, found.content);
    });

    app.delete('/releases/:version/files/:file_id/', async (request, reply) => {
      const release = await findScopedRelease(deps.db, scopeOf(request), versionOf(request));
      if (!(await deleteReleaseFile(files, release.id, fileIdOf(request)))) throw new AppError('not_found', RELEASE_NOT_FOUND);
      return reply.code(204).send();
    });
  };
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('validation_failed', result.error.issues[0]?.message ?? 'Invalid request');
  return result.data;
}

function versionOf(request: FastifyRequest): string {
  return parse(paramsSchema, request.params).version;
}

function fileIdOf(request: FastifyRequest): string {
  return parse(paramsSchema, request.params).file_id ?? '';
}

/** The request's absolute URL without its query string: the base of the pagination links. */

