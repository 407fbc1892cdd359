import { sql } from 'kysely';
import { findBundlesByDebugId, findBundlesByRelease, findBundlesByReleaseUrl } from '../adapters/db/artifactBundleReads.js';
import { isBigintId } from '../adapters/db/bigintId.js';
import { openFileStream, type DownloadContent, type FileStoreDeps } from '../adapters/files/index.js';
import { MAX_LOOKUP_BUNDLES } from '../domain/artifactLookup.js';
import { AppError, isAppError } from '../domain/errors.js';
import { FILE_TYPES } from '../domain/releaseFileIdent.js';
import {
  MAX_SENTRY_LOOKUP_FILES,
  selectSentryLookup,
  type SentryDownloadId,
  type SentryLookupEntry,
  type SentryLookupPlan,
} from '../domain/sentryArtifactLookup.js';
import { findScopedRelease } from '../releases/findScopedRelease.js';
import { ARTIFACT_NOT_FOUND, findScopedBundle, openBundleFile, type ArtifactScope } from './bundleContent.js';

/**
 * Sentry's artifact lookup for a project (see sentryArtifactLookup.ts for the selection): bundle queries per debug id
 * and for the release+dist (through the URL index, then all of the release's), and, only when no bundle matched,
 * the release's archives and single files. Reads rows only, never a bundle's bytes.
 */
export async function lookupSentryArtifacts(deps: FileStoreDeps, scope: ArtifactScope, plan: SentryLookupPlan): Promise<SentryLookupEntry[]> {
  const ids = (hits: Array<{ artifactBundleId: string }>) => hits.map((hit) => hit.artifactBundleId);
  const [byDebugId, byUrl, byRelease] = await Promise.all([
    Promise.all(plan.debugIds.map((debugId) => findBundlesByDebugId(deps.db, { ...scope, debugId, limit: MAX_LOOKUP_BUNDLES }))).then((lists) =>
      lists.flatMap(ids),
    ),
    plan.release === null || plan.urlCandidates.length === 0
      ? []
      : findBundlesByReleaseUrl(deps.db, { ...scope, release: plan.release.name, dist: plan.release.dist, urls: plan.urlCandidates }).then(ids),
    plan.release === null
      ? []
      : findBundlesByRelease(deps.db, { ...scope, release: plan.release.name, dist: plan.release.dist, limit: MAX_LOOKUP_BUNDLES }).then(ids),
  ]);
  const noBundles = byDebugId.length + byUrl.length + byRelease.length === 0;
  const legacy = noBundles ? await findLegacyReleaseArtifacts(deps, scope, plan) : { releaseArchives: [], releaseFiles: [] };
  return selectSentryLookup({ bundlesByDebugId: byDebugId, bundlesByUrl: byUrl, bundlesByRelease: byRelease, ...legacy });
}

/**
 * The release's archives (whole release bundles) and single files whose name contains a URL, of the dist asked for.
 * A release that does not exist or is not the project's has none.
 */
async function findLegacyReleaseArtifacts(deps: FileStoreDeps, scope: ArtifactScope, plan: SentryLookupPlan) {
  if (plan.release === null) return { releaseArchives: [], releaseFiles: [] };
  let releaseId: string;
  try {
    releaseId = (await findScopedRelease(deps.db, scope, plan.release.name)).id;
  } catch (err) {
    if (isAppError(err, 'not_found')) return { releaseArchives: [], releaseFiles: [] };
    throw err;
  }
  const dist = plan.release.dist;
  const ofRelease = deps.db
    .selectFrom('release_file as rf')
    .innerJoin('file as f', 'f.id', 'rf.file_id')
    .leftJoin('distribution as d', 'd.id', 'rf.dist_id')
    .where('rf.release_id', '=', releaseId)
    .where((eb) => (dist === '' ? eb('rf.dist_id', 'is', null) : eb('d.name', '=', dist)));
  const archives = await ofRelease.select('rf.id').where('f.type', '=', FILE_TYPES.releaseBundle).orderBy('rf.id').execute();
  const files =
    plan.urls.length === 0
      ? []
      : await ofRelease
          .select(['rf.id', 'rf.name', 'f.headers'])
          .where('f.type', '=', FILE_TYPES.releaseFile)
          // a case-insensitive substring, without LIKE's wildcards: a URL holding `%` or `_` means itself
          .where(sql<boolean>`exists (select 1 from unnest(${plan.urls}::text[]) as u(url) where strpos(lower(rf.name), lower(u.url)) > 0)`)
          .orderBy('rf.id')
          .limit(MAX_SENTRY_LOOKUP_FILES)
          .execute();
  return {
    releaseArchives: archives.map((row) => row.id),
    releaseFiles: files.map((row) => ({ id: row.id, name: row.name, headers: row.headers })),
  };
}

/**
 * The bytes behind a download id, as uploaded: an artifact bundle of the project (SYSB header included), or a release
 * file of the organisation (a release archive's zip, or a single file). Anything else is the same 404.
 */
export async function openSentryDownload(deps: FileStoreDeps, scope: ArtifactScope, download: SentryDownloadId): Promise<DownloadContent> {
  if (download.kind === 'artifact_bundle') return openBundleFile(deps, await findScopedBundle(deps, scope, download.id));
  const row = isBigintId(download.id)
    ? await deps.db
        .selectFrom('release_file as rf')
        .innerJoin('file as f', 'f.id', 'rf.file_id')
        .select(['rf.name', 'rf.file_id', 'f.size'])
        .where('rf.id', '=', download.id)
        .where('rf.organization_id', '=', scope.organizationId)
        .executeTakeFirst()
    : undefined;
  if (!row || row.size === null) throw new AppError('not_found', ARTIFACT_NOT_FOUND);
  return {
    stream: await openFileStream(deps, row.file_id),
    size: Number(row.size),
    contentType: 'application/octet-stream',
    filename: lastSegment(row.name),
  };
}

function lastSegment(name: string): string {
  const path = name.split(/[?#]/, 1)[0]!;
  return path.slice(path.lastIndexOf('/') + 1) || 'file';
}
