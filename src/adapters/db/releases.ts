import { releaseSemverColumns } from '../../domain/releaseVersion.js';
import type { ReleaseFacts } from '../../domain/releases/serializeRelease.js';
import type { DbOrTx } from './connect.js';
import type { ReleaseRow } from './schema.js';

/** A stored release: the columns the API serializer reads (ReleaseFacts, in the domain) and the rest. */
export interface Release extends ReleaseFacts {
  organizationId: string;
  ownerId: string | null;
  lastCommitId: string | null;
  lastDeployId: string | null;
  /** Denormalized semver of the version (null when it does not parse); bigint columns as decimal strings. */
  package: string | null;
  major: string | null;
  minor: string | null;
  patch: string | null;
  revision: string | null;
  prerelease: string | null;
  buildCode: string | null;
  buildNumber: string | null;
}

export interface NewRelease {
  organizationId: string;
  version: string;
  /** Projects to link; linking is idempotent, existing links stay. */
  projectIds?: string[];
  ref?: string | null;
  url?: string | null;
  dateStarted?: Date | null;
  dateReleased?: Date | null;
  ownerId?: string | null;
  data?: Record<string, unknown>;
  userAgent?: string | null;
}

export interface Distribution {
  id: string;
  name: string;
}

/** The one row-to-Release mapper, for every release read (here and in releaseQueries.ts). */
export function toRelease(row: ReleaseRow): Release {
  return {
    id: row.id,
    organizationId: row.organization_id,
    version: row.version,
    status: row.status,
    ref: row.ref,
    url: row.url,
    dateAdded: row.date_added,
    dateStarted: row.date_started,
    dateReleased: row.date_released,
    data: row.data,
    ownerId: row.owner_id,
    commitCount: row.commit_count,
    lastCommitId: row.last_commit_id,
    authors: row.authors,
    totalDeploys: row.total_deploys,
    lastDeployId: row.last_deploy_id,
    userAgent: row.user_agent,
    package: row.package,
    major: row.major,
    minor: row.minor,
    patch: row.patch,
    revision: row.revision,
    prerelease: row.prerelease,
    buildCode: row.build_code,
    buildNumber: row.build_number,
  };
}

export async function findReleaseByVersion(
  db: DbOrTx,
  organizationId: string,
  version: string,
): Promise<Release | undefined> {
  const row = await db
    .selectFrom('release')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row && toRelease(row);
}

async function insertReleaseIfAbsent(db: DbOrTx, release: NewRelease): Promise<Release | undefined> {
  const row = await db
    .insertInto('release')
    .values({
      organization_id: release.organizationId,
      version: release.version,
      ref: release.ref ?? null,
      url: release.url ?? null,
      date_started: release.dateStarted ?? null,
      date_released: release.dateReleased ?? null,
      owner_id: release.ownerId ?? null,
      data: JSON.stringify(release.data ?? {}),
      user_agent: release.userAgent ?? null,
      // Sentry fills the semver columns on create, so version ordering and filters work without reparsing.
      ...releaseSemverColumns(release.version),
    })
    .onConflict((oc) => oc.constraint('release_org_version_unique').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toRelease(row);
}

/**
 * The release of this version, created if missing; race-safe through the (organization_id, version) constraint.
 * A concurrent creator's row is returned as it is (the given fields only apply to a release this call creates);
 * the projects are linked either way.
 */
export async function getOrCreateRelease(
  db: DbOrTx,
  release: NewRelease,
): Promise<{ release: Release; created: boolean }> {
  // Two rounds: a row deleted between our conflicting insert and the select is inserted on the second.
  for (let round = 0; round < 2; round += 1) {
    const inserted = await insertReleaseIfAbsent(db, release);
    const found = inserted ?? (await findReleaseByVersion(db, release.organizationId, release.version));
    if (found) {
      await linkReleaseProjects(db, found.id, release.projectIds ?? []);
      return { release: found, created: inserted !== undefined };
    }
  }
  throw new Error(`release ${release.version} vanished while being created`);
}

/** Links projects to a release; existing links are kept. Returns how many links are new. */
export async function linkReleaseProjects(db: DbOrTx, releaseId: string, projectIds: string[]): Promise<number> {
  const unique = [...new Set(projectIds)];
  if (unique.length === 0) return 0;
  const rows = await db
    .insertInto('release_project')
    .values(unique.map((projectId) => ({ release_id: releaseId, project_id: projectId })))
    .onConflict((oc) => oc.constraint('release_project_unique').doNothing())
    .returning('id')
    .execute();
  return rows.length;
}

export async function listReleaseProjectIds(db: DbOrTx, releaseId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('release_project')
    .select('project_id')
    .where('release_id', '=', releaseId)
    .orderBy('project_id')
    .execute();
  return rows.map((r) => r.project_id);
}

/** The distribution `name` of a release, created if missing; race-safe through the (release_id, name) constraint. */
export async function getOrCreateDistribution(
  db: DbOrTx,
  dist: { organizationId: string; releaseId: string; name: string },
): Promise<Distribution> {
  const inserted = await db
    .insertInto('distribution')
    .values({ organization_id: dist.organizationId, release_id: dist.releaseId, name: dist.name })
    .onConflict((oc) => oc.constraint('distribution_release_name_unique').doNothing())
    .returning(['id', 'name'])
    .executeTakeFirst();
  if (inserted) return inserted;
  return db
    .selectFrom('distribution')
    .select(['id', 'name'])
    .where('release_id', '=', dist.releaseId)
    .where('name', '=', dist.name)
    .executeTakeFirstOrThrow();
}
