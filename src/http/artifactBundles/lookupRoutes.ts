import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { withReadSnapshot } from '../../adapters/db/readSnapshot.js';
import { findScopedBundle, openBundleFile, openBundleMember } from '../../artifacts/bundleContent.js';
import { lookupArtifacts } from '../../artifacts/lookupArtifacts.js';
import { planArtifactLookup, type BundleRef, type LookupMatch } from '../../domain/artifactLookup.js';
import { normalizeDebugId } from '../../domain/debugId.js';
import { MAX_DIST_NAME_LENGTH, MAX_RELEASE_NAME_LENGTH } from '../../domain/artifactBundle.js';
import '../requestContext.js';
import type { HttpRouteDeps } from '../routeDeps.js';
import { sendDownload } from '../sendDownload.js';
import { parse, scopeOf } from './lookupRequest.js';
import { sentryLookupRoute } from './sentryLookupRoute.js';

/** An empty parameter (`?dist=`) means "not given", as sentry-cli sends empty values for unset options. */
const optional = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((value) => (value === '' ? undefined : value));

const lookupQuerySchema = z.object({
  debug_id: optional(100),
  url: optional(8192),
  release: optional(MAX_RELEASE_NAME_LENGTH),
  dist: optional(MAX_DIST_NAME_LENGTH),
});

const bundleParamsSchema = z.object({ bundle_id: z.string().min(1) });
const memberQuerySchema = z.object({ member: z.string().min(1, 'member is required').max(4096) });

/** Our own richer lookup (not Sentry's): bundle members, sizes, SHA-1s, what a member's manifest says. */
export const OWN_LOOKUP_PATH = '/artifacts/lookup/';

/**
 * Project scope (`/api/0/projects/{org}/{project}/`): Sentry's artifact-lookup/ (its wire format exactly, see
 * sentryLookupRoute.ts) and our own richer lookup with its bundle and member downloads.
 */
export function lookupRoutes(deps: HttpRouteDeps): FastifyPluginAsync {
  const files = { db: deps.db, blobs: deps.blobs };
  return async (app) => {
    await app.register(sentryLookupRoute(deps));

    app.get(OWN_LOOKUP_PATH, async (request, reply) => {
      const query = parse(lookupQuerySchema, request.query);
      const plan = planArtifactLookup({ debugId: query.debug_id, url: query.url, release: query.release, dist: query.dist });
      // one snapshot: a release's artifact index is read as committed, even while a bundle replaces it
      const { matches, truncated } = await withReadSnapshot(deps.db, (db) => lookupArtifacts({ ...files, db }, scopeOf(request), plan));
      // the list is capped; the header tells a client that there was more than it got
      if (truncated) reply.header('X-Lookup-Truncated', 'true');
      return reply.send(matches.map((match) => serializeMatch(basePath(request), match)));
    });

    app.get(`${OWN_LOOKUP_PATH}bundles/:bundle_id/`, async (request, reply) => {
      const bundleId = parse(bundleParamsSchema, request.params).bundle_id;
      const content = await withReadSnapshot(deps.db, async (db) =>
        openBundleFile({ ...files, db }, await findScopedBundle({ ...files, db }, scopeOf(request), bundleId)),
      );
      return sendDownload(reply, content);
    });

    app.get(`${OWN_LOOKUP_PATH}bundles/:bundle_id/files/`, async (request, reply) => {
      const { member } = parse(memberQuerySchema, request.query);
      const bundleId = parse(bundleParamsSchema, request.params).bundle_id;
      const content = await withReadSnapshot(deps.db, async (db) =>
        openBundleMember({ ...files, db }, await findScopedBundle({ ...files, db }, scopeOf(request), bundleId), member),
      );
      return sendDownload(reply, content);
    });
  };
}

/**
 * One element of our own GET artifacts/lookup/ answer (a JSON array, most preferred first). Fields are only ever added.
 *
 * - `id`: bundle: the bundle's id; bundle_member: `{bundle id}/{member path}`; release_file: its release-file API id
 * - `type`: `bundle` (a whole artifact bundle zip, SYSB header included), `bundle_member` (one file of a bundle),
 *   `release_file` (a release file: single, or an entry of a release's artifact index)
 * - `resolved_with`: `debug-id` | `index` (release+dist+URL) | `release` (release+dist) | `release-old` (release files)
 * - `url`: where to download the bytes, relative to this server
 * - `abs_path`: the artifact's URL as uploaded (manifest `url`, release file name); null for a whole bundle
 * - `member`: a bundle member's path inside the zip, else null
 * - `file_type`: a bundle member's manifest `type` (`minified_source`, `source_map`, ...), else null
 * - `release`, `dist`: what the match was found under (null when found by debug id; dist null = no dist)
 * - `debug_id`: a bundle member's normalised `debug-id` header, else null
 * - `headers`: the artifact's headers as uploaded ({} for a whole bundle)
 * - `size`: how many bytes `url` answers; for a bundle member, its uncompressed size from the zip's central directory
 *   (null only for a path the zip cannot serve, which assembly does not store)
 * - `sha1`: of the bytes `url` answers; null for bundle members (the lookup reads their sizes, never their bytes)
 * - `bundle`: `{id, bundle_id, checksum, artifact_count, date_added}` of the bundle a bundle or member belongs to
 */
export interface LookupMatchJson {
  id: string;
  type: LookupMatch['kind'];
  resolved_with: LookupMatch['resolvedWith'];
  url: string;
  abs_path: string | null;
  member: string | null;
  file_type: string | null;
  release: string | null;
  dist: string | null;
  debug_id: string | null;
  headers: Record<string, unknown>;
  sha1: string | null;
  size: number | null;
  bundle: { id: string; bundle_id: string; checksum: string; artifact_count: number; date_added: string } | null;
}

export function serializeMatch(base: string, match: LookupMatch): LookupMatchJson {
  const found = {
    resolved_with: match.resolvedWith,
    release: match.release?.name ?? null,
    dist: match.release?.dist || null,
    abs_path: null,
    member: null,
    file_type: null,
    debug_id: null,
    headers: {},
    sha1: null,
    size: null,
    bundle: null,
  };
  switch (match.kind) {
    case 'bundle':
      return {
        ...found,
        id: match.bundle.artifactBundleId,
        type: 'bundle',
        url: bundlePath(base, match.bundle),
        sha1: match.bundle.checksum,
        size: match.bundle.size,
        bundle: serializeBundle(match.bundle),
      };
    case 'bundle_member':
      return {
        ...found,
        id: `${match.bundle.artifactBundleId}/${match.file.key}`,
        type: 'bundle_member',
        url: `${bundlePath(base, match.bundle)}files/?member=${encodeURIComponent(match.file.key)}`,
        abs_path: match.file.url,
        member: match.file.key,
        file_type: match.file.type,
        debug_id: normalizeDebugId(headerValue(match.file.headers, 'debug-id')),
        headers: match.file.headers,
        size: match.size,
        bundle: serializeBundle(match.bundle),
      };
    case 'release_file':
      return {
        ...found,
        id: match.file.id,
        type: 'release_file',
        // the release-file routes already serve single files and archive entries alike, scoped to the project
        url: `${base}/releases/${encodeURIComponent(match.release.name)}/files/${encodeURIComponent(match.file.id)}/?download=1`,
        abs_path: match.file.name,
        dist: match.file.dist,
        headers: match.file.headers,
        sha1: match.file.sha1,
        size: match.file.size,
      };
  }
}

function serializeBundle(bundle: BundleRef): NonNullable<LookupMatchJson['bundle']> {
  return {
    id: bundle.artifactBundleId,
    bundle_id: bundle.bundleId,
    checksum: bundle.checksum,
    artifact_count: bundle.artifactCount,
    date_added: bundle.dateAdded.toISOString(),
  };
}

function bundlePath(base: string, bundle: BundleRef): string {
  return `${base}${OWN_LOOKUP_PATH}bundles/${bundle.artifactBundleId}/`;
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

function basePath(request: FastifyRequest): string {
  return `/api/0/projects/${encodeURIComponent(request.organization.slug)}/${encodeURIComponent(request.project.slug)}`;
}
