import { sql, type Insertable, type Selectable } from 'kysely';
import type { DebugIdLink } from '../../domain/artifactBundle.js';
import type { DbOrTx, Tx } from './connect.js';
import type { ArtifactBundleTable, Database } from './schema.js';

/** Rows per multi-row INSERT: keeps statements well under Postgres' 65535 bind parameters. */
const ROWS_PER_INSERT = 1000;

export interface NewArtifactBundle {
  organizationId: string;
  bundleId: string;
  checksum: string;
  fileId: string;
  artifactCount: number;
  manifestRelease: string | null;
  manifestDist: string | null;
}

/** A stored bundle: what was inserted, its id, and the dates its uploads set. */
export interface ArtifactBundleRecord extends NewArtifactBundle {
  id: string;
  dateAdded: Date;
  dateUploaded: Date;
  dateLastModified: Date;
}

/**
 * Serialises everything that creates or links the bundle of one (org, checksum): the assemble job's transaction and
 * the endpoint's link writes. The bundle row may not exist yet, so a row lock cannot do it; a transaction-scoped
 * advisory lock can, and is released at commit or rollback.
 */
export async function lockBundleChecksum(tx: Tx, organizationId: string, checksum: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`artifact-bundle|${organizationId}|${checksum}`}, 0))`.execute(tx);
}

export async function findArtifactBundleByChecksum(
  db: DbOrTx,
  organizationId: string,
  checksum: string,
): Promise<ArtifactBundleRecord | undefined> {
  const row = await db
    .selectFrom('artifact_bundle')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('checksum', '=', checksum)
    .executeTakeFirst();
  return row && toRecord(row);
}

export async function insertArtifactBundle(tx: Tx, bundle: NewArtifactBundle, now: Date): Promise<string> {
  const row = await tx
    .insertInto('artifact_bundle')
    .values({
      organization_id: bundle.organizationId,
      bundle_id: bundle.bundleId,
      checksum: bundle.checksum,
      file_id: bundle.fileId,
      artifact_count: bundle.artifactCount,
      manifest_release: bundle.manifestRelease,
      manifest_dist: bundle.manifestDist,
      date_added: now,
      date_uploaded: now,
      date_last_modified: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** An identical re-upload: the new file replaces the old one and the dates say when it was last uploaded. */
export async function replaceArtifactBundleFile(tx: Tx, id: string, fileId: string, now: Date): Promise<void> {
  await tx
    .updateTable('artifact_bundle')
    .set({ file_id: fileId, date_added: now, date_uploaded: now, date_last_modified: now })
    .where('id', '=', id)
    .execute();
}

/** A new upload of stored bytes, answered from Postgres without assembling them again. */
export async function touchArtifactBundle(tx: Tx, id: string, now: Date): Promise<void> {
  await tx.updateTable('artifact_bundle').set({ date_added: now, date_last_modified: now }).where('id', '=', id).execute();
}

/** `refresh` sets date_added of links that already exist (an upload); without it they are left alone (a poll). */
export interface LinkWrite {
  organizationId: string;
  artifactBundleId: string;
  now: Date;
  refresh: boolean;
}

export async function upsertReleaseLinks(tx: Tx, w: LinkWrite, releases: ReadonlyArray<{ name: string; dist: string }>): Promise<void> {
  await upsertLinks(tx, w, 'release_artifact_bundle', releases.map((r) => ({ release_name: r.name, dist_name: r.dist })));
}

export async function upsertProjectLinks(tx: Tx, w: LinkWrite, projectIds: readonly string[]): Promise<void> {
  await upsertLinks(tx, w, 'project_artifact_bundle', projectIds.map((projectId) => ({ project_id: projectId })));
}

/**
 * A bundle has a debug id link per source and map, a thousand or more, so they go in one statement whose values
 * travel as two arrays (unnest): two bind parameters in all, not four per row, which Postgres parses and plans once.
 * `distinct` because one statement may not update the same row twice.
 */
export async function upsertDebugIdLinks(tx: Tx, w: LinkWrite, debugIds: readonly DebugIdLink[]): Promise<void> {
  if (debugIds.length === 0) return;
  const onConflict = w.refresh ? sql`do update set date_added = excluded.date_added` : sql`do nothing`;
  await sql`
    insert into debug_id_artifact_bundle (organization_id, artifact_bundle_id, debug_id, source_file_type, date_added)
    select distinct ${w.organizationId}::bigint, ${w.artifactBundleId}::bigint, d.debug_id, d.source_file_type, ${w.now}::timestamptz
    from unnest(${debugIds.map((d) => d.debugId)}::uuid[], ${debugIds.map((d) => d.sourceFileType)}::integer[]) as d(debug_id, source_file_type)
    on conflict on constraint debug_id_artifact_bundle_unique ${onConflict}`.execute(tx);
}

/** The tables that link a bundle to what finds it; each has a unique constraint named `{table}_unique`. */
type LinkTable = 'release_artifact_bundle' | 'project_artifact_bundle' | 'debug_id_artifact_bundle';
/** A link row without the columns every link shares (organisation, bundle, date). */
type LinkKey<T extends LinkTable> = Omit<Insertable<Database[T]>, 'organization_id' | 'artifact_bundle_id' | 'date_added'>;

/**
 * Kysely cannot resolve the columns of a table named by a type parameter, so the insert is typed against the shared
 * columns of all link tables (`as LinkTable`); the per-table columns are checked where the callers build `keys`.
 */
async function upsertLinks<T extends LinkTable>(tx: Tx, w: LinkWrite, table: T, keys: ReadonlyArray<LinkKey<T>>): Promise<void> {
  for (const batch of batches(keys)) {
    await tx
      .insertInto(table as LinkTable)
      .values(batch.map((key) => ({ ...key, organization_id: w.organizationId, artifact_bundle_id: w.artifactBundleId, date_added: w.now })))
      .onConflict((oc) => {
        const target = oc.constraint(`${table}_unique`);
        return w.refresh ? target.doUpdateSet({ date_added: w.now }) : target.doNothing();
      })
      .execute();
  }
}

/**
 * The bundle's URLs; they depend on its content only, so an existing row is already right. One statement with the
 * URLs as one array, as for the debug ids.
 */
export async function insertBundleUrls(tx: Tx, w: LinkWrite, urls: readonly string[]): Promise<void> {
  if (urls.length === 0) return;
  await sql`
    insert into artifact_bundle_index (organization_id, artifact_bundle_id, url, date_added)
    select ${w.organizationId}::bigint, ${w.artifactBundleId}::bigint, u.url, ${w.now}::timestamptz
    from unnest(${urls}::text[]) as u(url)
    on conflict on constraint artifact_bundle_index_unique do nothing`.execute(tx);
}

/** A request's links, remembered until the running job for this checksum applies them ('' = none). */
export interface PendingLink {
  version: string | null;
  dist: string | null;
  projectIds: string[];
}

export async function addPendingLink(tx: Tx, organizationId: string, checksum: string, link: PendingLink): Promise<void> {
  await tx
    .insertInto('artifact_bundle_pending_link')
    .values({
      organization_id: organizationId,
      checksum,
      version: link.version ?? '',
      dist: link.dist ?? '',
      project_ids: sql<string[]>`${[...link.projectIds]}::bigint[]`,
    })
    .onConflict((oc) => oc.constraint('artifact_bundle_pending_link_unique').doNothing())
    .execute();
}

/** Removes and returns the pending links of one checksum (the job applies them in the same transaction). */
export async function takePendingLinks(db: DbOrTx, organizationId: string, checksum: string): Promise<PendingLink[]> {
  const rows = await db
    .deleteFrom('artifact_bundle_pending_link')
    .where('organization_id', '=', organizationId)
    .where('checksum', '=', checksum)
    .returning(['version', 'dist', sql<string[]>`project_ids::text[]`.as('project_ids')])
    .execute();
  return rows.map((r) => ({ version: r.version || null, dist: r.dist || null, projectIds: r.project_ids }));
}

function* batches<T>(rows: readonly T[]): Generator<T[]> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) yield rows.slice(start, start + ROWS_PER_INSERT);
}

function toRecord(row: Selectable<ArtifactBundleTable>): ArtifactBundleRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    bundleId: row.bundle_id,
    checksum: row.checksum,
    fileId: row.file_id,
    artifactCount: row.artifact_count,
    manifestRelease: row.manifest_release,
    manifestDist: row.manifest_dist,
    dateAdded: row.date_added,
    dateUploaded: row.date_uploaded,
    dateLastModified: row.date_last_modified,
  };
}
