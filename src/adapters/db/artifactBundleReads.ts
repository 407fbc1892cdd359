import { sql } from 'kysely';
import type { DbOrTx } from './connect.js';

/** A stored bundle as the artifact-lookup endpoint needs it: where its zip is and when it was last uploaded. */
export interface BundleHit {
  artifactBundleId: string;
  bundleId: string;
  fileId: string;
  checksum: string;
  dateAdded: Date;
}

/** Newest first, as Sentry prefers the most recent upload when several bundles answer. */
const DEFAULT_LIMIT = 20;

/** The columns of a BundleHit, from the bundle joined as `b`. */
const BUNDLE_HIT_COLUMNS = ['b.id as artifactBundleId', 'b.bundle_id as bundleId', 'b.file_id as fileId', 'b.checksum', 'b.date_added as dateAdded'] as const;

/**
 * Bundles of a project that contain a file with this debug id (any type, or only the given source file types).
 * `debugId` is the UUID part of a normalised debug id.
 */
export async function findBundlesByDebugId(
  db: DbOrTx,
  query: { organizationId: string; projectId: string; debugId: string; sourceFileTypes?: number[]; limit?: number },
): Promise<BundleHit[]> {
  let q = db
    .selectFrom('debug_id_artifact_bundle as d')
    .innerJoin('artifact_bundle as b', 'b.id', 'd.artifact_bundle_id')
    .innerJoin('project_artifact_bundle as p', 'p.artifact_bundle_id', 'b.id')
    .select(BUNDLE_HIT_COLUMNS)
    .distinct()
    .where('d.organization_id', '=', query.organizationId)
    .where('d.debug_id', '=', query.debugId)
    .where('p.project_id', '=', query.projectId);
  if (query.sourceFileTypes && query.sourceFileTypes.length > 0) q = q.where('d.source_file_type', 'in', query.sourceFileTypes);
  return q
    .orderBy('b.date_added', 'desc')
    .orderBy('b.id', 'desc')
    .limit(query.limit ?? DEFAULT_LIMIT)
    .execute();
}

type ReleaseBundleQuery = { organizationId: string; projectId: string; release: string; dist: string; limit?: number };

/** Bundles of a project linked to a release and dist ('' = no dist). */
export async function findBundlesByRelease(db: DbOrTx, query: ReleaseBundleQuery): Promise<BundleHit[]> {
  return selectReleaseBundles(db, query).execute();
}

/**
 * Bundles of a project, linked to a release and dist, that contain one of these URLs (pass the lookup candidates of
 * `urlCandidates`, e.g. `http://x/app.js` and `~/app.js`). The URL index is per bundle, so this works for any number
 * of bundles per release, with no indexing threshold.
 */
export async function findBundlesByReleaseUrl(
  db: DbOrTx,
  query: ReleaseBundleQuery & { urls: string[] },
): Promise<Array<BundleHit & { url: string }>> {
  if (query.urls.length === 0) return [];
  return selectReleaseBundles(db, query)
    .innerJoin('artifact_bundle_index as i', 'i.artifact_bundle_id', 'b.id')
    .select('i.url')
    .where('i.organization_id', '=', query.organizationId)
    .where(sql<boolean>`i.url = any(${query.urls}::text[])`)
    .execute();
}

/** The release-and-dist read both release lookups start from, newest first. */
function selectReleaseBundles(db: DbOrTx, query: ReleaseBundleQuery) {
  return db
    .selectFrom('release_artifact_bundle as r')
    .innerJoin('artifact_bundle as b', 'b.id', 'r.artifact_bundle_id')
    .innerJoin('project_artifact_bundle as p', 'p.artifact_bundle_id', 'b.id')
    .select(BUNDLE_HIT_COLUMNS)
    .where('r.organization_id', '=', query.organizationId)
    .where('r.release_name', '=', query.release)
    .where('r.dist_name', '=', query.dist)
    .where('p.project_id', '=', query.projectId)
    .orderBy('b.date_added', 'desc')
    .orderBy('b.id', 'desc')
    .limit(query.limit ?? DEFAULT_LIMIT);
}

/** A stored bundle with what the lookup answer and the downloads need. */
export interface ProjectBundle {
  artifactBundleId: string;
  bundleId: string;
  checksum: string;
  fileId: string;
  artifactCount: number;
  /** bytes of the stored file (SYSB header included); null for a file row without a size */
  size: number | null;
  dateAdded: Date;
}

/**
 * The bundles among `artifactBundleIds` that belong to the organisation and are linked to the project; others are
 * simply absent (a download of another project's bundle is a 404, whatever its id).
 */
export async function findProjectBundles(
  db: DbOrTx,
  query: { organizationId: string; projectId: string; artifactBundleIds: readonly string[] },
): Promise<ProjectBundle[]> {
  if (query.artifactBundleIds.length === 0) return [];
  const rows = await db
    .selectFrom('artifact_bundle as b')
    .innerJoin('file as f', 'f.id', 'b.file_id')
    .select(['b.id', 'b.bundle_id', 'b.checksum', 'b.file_id', 'b.artifact_count', 'b.date_added', 'f.size'])
    .where('b.organization_id', '=', query.organizationId)
    .where('b.id', 'in', [...query.artifactBundleIds])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('project_artifact_bundle as p')
          .select('p.id')
          .whereRef('p.artifact_bundle_id', '=', 'b.id')
          .where('p.project_id', '=', query.projectId),
      ),
    )
    .execute();
  return rows.map((row) => ({
    artifactBundleId: row.id,
    bundleId: row.bundle_id,
    checksum: row.checksum,
    fileId: row.file_id,
    artifactCount: row.artifact_count,
    size: row.size === null ? null : Number(row.size),
    dateAdded: row.date_added,
  }));
}
