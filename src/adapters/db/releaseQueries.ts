import { sql } from 'kysely';
import type { ReleaseProjectView } from '../../domain/releases/serializeRelease.js';
import { escapeLike } from './codeRepositories.js';
import type { DbOrTx, Tx } from './connect.js';
import { toRelease, type Release } from './releases.js';

/** Release reads and writes the releases API needs beyond get-or-create (src/adapters/db/releases.ts). */

/** Row-locks the release of this version and returns it; undefined when there is none. */
export async function lockReleaseByVersion(tx: Tx, organizationId: string, version: string): Promise<Release | undefined> {
  const row = await tx
    .selectFrom('release')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('version', '=', version)
    .forUpdate()
    .executeTakeFirst();
  return row && toRelease(row);
}

export async function findReleaseById(db: DbOrTx, id: string): Promise<Release | undefined> {
  const row = await db.selectFrom('release').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRelease(row);
}

export async function isReleaseInProject(db: DbOrTx, releaseId: string, projectId: string): Promise<boolean> {
  const row = await db
    .selectFrom('release_project')
    .select('id')
    .where('release_id', '=', releaseId)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return row !== undefined;
}

export interface ReleaseColumnsPatch {
  ref?: string | null;
  url?: string | null;
  dateReleased?: Date | null;
  status?: number;
  commitCount?: number;
  lastCommitId?: string | null;
  authors?: string[];
  totalDeploys?: number;
  lastDeployId?: string | null;
}

export async function updateReleaseColumns(tx: Tx, releaseId: string, patch: ReleaseColumnsPatch): Promise<void> {
  const set = {
    ...(patch.ref !== undefined ? { ref: patch.ref } : {}),
    ...(patch.url !== undefined ? { url: patch.url } : {}),
    ...(patch.dateReleased !== undefined ? { date_released: patch.dateReleased } : {}),
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.commitCount !== undefined ? { commit_count: patch.commitCount } : {}),
    ...(patch.lastCommitId !== undefined ? { last_commit_id: patch.lastCommitId } : {}),
    ...(patch.authors !== undefined ? { authors: patch.authors } : {}),
    ...(patch.totalDeploys !== undefined ? { total_deploys: patch.totalDeploys } : {}),
    ...(patch.lastDeployId !== undefined ? { last_deploy_id: patch.lastDeployId } : {}),
  };
  if (Object.keys(set).length === 0) return;
  await tx.updateTable('release').set(set).where('id', '=', releaseId).execute();
}

export interface ReleaseListFilter {
  organizationId: string;
  /** only releases linked to this project */
  projectId?: string;
  /** case-insensitive: a version prefix, or (`queryMatch: 'contains'`) anywhere in the version */
  query?: string;
  queryMatch?: 'prefix' | 'contains';
  /** only this status (open includes null) */
  status?: number;
  offset: number;
  limit: number;
}

/** Releases newest first (date_added, then id). */
export async function listReleases(db: DbOrTx, filter: ReleaseListFilter): Promise<Release[]> {
  let query = db.selectFrom('release as r').selectAll('r').where('r.organization_id', '=', filter.organizationId);
  if (filter.projectId !== undefined) {
    const projectId = filter.projectId;
    query = query.where((eb) =>
      eb.exists(eb.selectFrom('release_project as rp').select('rp.id').whereRef('rp.release_id', '=', 'r.id').where('rp.project_id', '=', projectId)),
    );
  }
  if (filter.query) {
    const pattern = `${filter.queryMatch === 'contains' ? '%' : ''}${escapeLike(filter.query)}%`;
    query = query.where('r.version', 'ilike', pattern);
  }
  if (filter.status === 0) query = query.where((eb) => eb.or([eb('r.status', '=', 0), eb('r.status', 'is', null)]));
  else if (filter.status !== undefined) query = query.where('r.status', '=', filter.status);
  const rows = await query.orderBy('r.date_added', 'desc').orderBy('r.id', 'desc').offset(filter.offset).limit(filter.limit).execute();
  return rows.map(toRelease);
}

/** The linked projects of each release, by project id. */
export async function loadReleaseProjects(db: DbOrTx, releaseIds: readonly string[]): Promise<Map<string, ReleaseProjectView[]>> {
  const out = new Map<string, ReleaseProjectView[]>();
  if (releaseIds.length === 0) return out;
  const rows = await db
    .selectFrom('release_project as rp')
    .innerJoin('project as p', 'p.id', 'rp.project_id')
    .select(['rp.release_id', 'p.id', 'p.slug', 'p.name', 'p.platform', 'rp.new_groups'])
    .where('rp.release_id', 'in', [...new Set(releaseIds)])
    .orderBy('p.id')
    .execute();
  for (const row of rows) {
    const list = out.get(row.release_id) ?? [];
    list.push({ id: row.id, slug: row.slug, name: row.name, platform: row.platform, newGroups: row.new_groups });
    out.set(row.release_id, list);
  }
  return out;
}

/** Sentry's count_artifacts for several releases: SUM(COALESCE(artifact_count, 1)) over their release files. */
export async function countArtifactsByRelease(db: DbOrTx, releaseIds: readonly string[]): Promise<Map<string, number>> {
  if (releaseIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('release_file')
    .select(['release_id', sql<string>`SUM(COALESCE(artifact_count, 1))`.as('count')])
    .where('release_id', 'in', [...new Set(releaseIds)])
    .groupBy('release_id')
    .execute();
  return new Map(rows.map((r) => [r.release_id, Number(r.count)]));
}

/**
 * Deletes a release, its release files' `file` rows and (by cascade) its release files, distributions, project
 * links, commits links and deploys. Blobs stay for the garbage collector. Returns how many files went.
 */
export async function deleteReleaseWithFiles(tx: Tx, releaseId: string): Promise<number> {
  const files = await tx.selectFrom('release_file').select('file_id').where('release_id', '=', releaseId).execute();
  await tx.deleteFrom('release').where('id', '=', releaseId).execute();
  const fileIds = [...new Set(files.map((f) => f.file_id))];
  if (fileIds.length > 0) {
    // A file may still be referenced by another release's row (never written so today, but cheap to respect).
    await tx
      .deleteFrom('file')
      .where('id', 'in', fileIds)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('release_file as rf').select('rf.id').whereRef('rf.file_id', '=', 'file.id'))))
      .execute();
  }
  return fileIds.length;
}

/**
 * The newest release created before `release` that has commits and shares a project with it (any release when
 * it has no projects): where sentry-cli's `--local` mode starts its commit range.
 */
export async function findPreviousReleaseWithCommits(db: DbOrTx, release: Release, projectIds: readonly string[]): Promise<Release | undefined> {
  let query = db
    .selectFrom('release as r')
    .selectAll('r')
    .where('r.organization_id', '=', release.organizationId)
    .where('r.id', '!=', release.id)
    .where('r.last_commit_id', 'is not', null)
    .where((eb) => eb.or([eb('r.date_added', '<', release.dateAdded), eb.and([eb('r.date_added', '=', release.dateAdded), eb('r.id', '<', release.id)])]));
  if (projectIds.length > 0) {
    query = query.where((eb) =>
      eb.exists(eb.selectFrom('release_project as rp').select('rp.id').whereRef('rp.release_id', '=', 'r.id').where('rp.project_id', 'in', [...projectIds])),
    );
  }
  const row = await query.orderBy('r.date_added', 'desc').orderBy('r.id', 'desc').limit(1).executeTakeFirst();
  return row && toRelease(row);
}
