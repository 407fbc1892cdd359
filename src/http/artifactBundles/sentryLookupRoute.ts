import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { withReadSnapshot } from '../../adapters/db/readSnapshot.js';
import { lookupSentryArtifacts, openSentryDownload } from '../../artifacts/sentryLookup.js';
import { ARTIFACT_NOT_FOUND } from '../../artifacts/bundleContent.js';
import { MAX_DIST_NAME_LENGTH, MAX_RELEASE_NAME_LENGTH } from '../../domain/artifactBundle.js';
import { AppError } from '../../domain/errors.js';
import { formatDownloadId, parseDownloadId, planSentryLookup, type SentryLookupEntry } from '../../domain/sentryArtifactLookup.js';
import { publicUrlFor } from '../publicBaseUrl.js';
import type { HttpRouteDeps } from '../routeDeps.js';
import { sendDownload } from '../sendDownload.js';
import { parse, scopeOf } from './lookupRequest.js';

/** A parameter given once is a string, given several times an array; both are a list here. */
const repeated = (max: number) =>
  z
    .union([z.string().max(max), z.array(z.string().max(max))])
    .optional()
    .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));

/** The last of a repeated single-valued parameter, as Django's `GET.get` reads it; '' is "not given". */
const single = (max: number) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => (Array.isArray(value) ? value.at(-1) : value) || undefined)
    .pipe(z.string().max(max).optional());

const sentryLookupQuerySchema = z.object({
  debug_id: repeated(100),
  url: repeated(8192),
  release: single(MAX_RELEASE_NAME_LENGTH),
  dist: single(MAX_DIST_NAME_LENGTH),
  download: single(64),
});

/**
 * One element of Sentry's artifact-lookup answer, exactly the keys Symbolicator decodes (`bundle` or `file`).
 * `url` is this lookup's own absolute URL plus `?download=<id>`, so a consumer sends its token there.
 */
export type SentryLookupJson =
  | { id: string; type: 'bundle'; url: string; resolved_with: string }
  | { id: string; type: 'file'; url: string; abs_path: string; headers: Record<string, unknown>; resolved_with: 'release-old' };

/**
 * `GET /api/0/projects/{org}/{project}/artifact-lookup/` in Sentry's wire format (reference sentry-consumers.md 1):
 * `debug_id` (repeatable), `url` (repeatable, with `release`), `release`, `dist`; or `download=<id>` for the bytes.
 */
export function sentryLookupRoute(deps: HttpRouteDeps): FastifyPluginAsync {
  const files = { db: deps.db, blobs: deps.blobs };
  return async (app) => {
    app.get('/artifact-lookup/', async (request, reply) => {
      const query = parse(sentryLookupQuerySchema, request.query);
      if (query.download !== undefined) {
        const download = parseDownloadId(query.download);
        if (!download) throw new AppError('not_found', ARTIFACT_NOT_FOUND);
        const content = await withReadSnapshot(deps.db, (db) => openSentryDownload({ ...files, db }, scopeOf(request), download));
        return sendDownload(reply, content);
      }
      const plan = planSentryLookup({ debugIds: query.debug_id, urls: query.url, release: query.release, dist: query.dist });
      const entries = await withReadSnapshot(deps.db, (db) => lookupSentryArtifacts({ ...files, db }, scopeOf(request), plan));
      const self = lookupUrl(request, deps.publicUrl);
      return reply.send(entries.map((entry) => serializeSentryEntry(self, entry)));
    });
  };
}

/** The lookup's own absolute URL without its query: the base every download `url` is built on. */
function lookupUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrlFor(request, publicUrl, request.url.split('?', 1)[0]!);
}

export function serializeSentryEntry(lookup: string, entry: SentryLookupEntry): SentryLookupJson {
  const id = formatDownloadId(entry.download);
  const url = `${lookup}?download=${id}`;
  if (entry.type === 'bundle') return { id, type: 'bundle', url, resolved_with: entry.resolvedWith };
  return { id, type: 'file', url, abs_path: entry.absPath, headers: entry.headers, resolved_with: entry.resolvedWith };
}
