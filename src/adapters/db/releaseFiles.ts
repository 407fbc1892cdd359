import { sql } from 'kysely';
import type { Db, Tx } from './connect.js';
import type { ReleaseFileRow } from './schema.js';

export interface ReleaseFileRecord {
  id: string;
  organizationId: string;
  releaseId: string;
  fileId: string;
  ident: string;
  name: string;
  distId: string | null;
  artifactCount: number | null;
}

export interface NewReleaseFile {
  organizationId: string;
  releaseId: string;
  fileId: string;
  ident: string;
  name: string;
  distId: string | null;
  artifactCount: number;
}

const columns = ['id', 'organization_id', 'release_id', 'file_id', 'ident', 'name', 'dist_id', 'artifact_count'] as const;

function toRecord(row: Pick<ReleaseFileRow, (typeof columns)[number]>): ReleaseFileRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    releaseId: row.release_id,
    fileId: row.file_id,
    ident: row.ident,
    name: row.name,
    distId: row.dist_id,
    artifactCount: row.artifact_count,
  };
}

function toRow(f: NewReleaseFile) {
  return {
    organization_id: f.organizationId,
    release_id: f.releaseId,
    file_id: f.fileId,
    ident: f.ident,
    name: f.name,
    dist_id: f.distId,
    artifact_count: f.artifactCount,
  };
}

/**
 * Serialises single-file writers of one release for the rest of the transaction. Without it, two bundles that
 * replace the same name could each delete the file they saw as "old" and orphan the other's (reference 3.1 note 5).
 */
export async function lockReleaseForFileWrites(tx: Tx, releaseId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`release-files:${releaseId}`}, 0))`.execute(tx);
}

export async function findReleaseFilesByIdents(tx: Tx, releaseId: string, idents: string[]): Promise<ReleaseFileRecord[]> {
  if (idents.length === 0) return [];
  const rows = await tx
    .selectFrom('release_file')
    .select(columns)
    .where('release_id', '=', releaseId)
    .where('ident', 'in', idents)
    .execute();
  return rows.map(toRecord);
}

/** Inserts or repoints release files by (release_id, ident); the caller deletes the replaced files. */
export async function upsertReleaseFiles(tx: Tx, files: NewReleaseFile[]): Promise<void> {
  if (files.length === 0) return;
  await tx
    .insertInto('release_file')
    .values(files.map(toRow))
    .onConflict((oc) =>
      oc.columns(['release_id', 'ident']).doUpdateSet((eb) => ({
        file_id: eb.ref('excluded.file_id'),
        name: eb.ref('excluded.name'),
        dist_id: eb.ref('excluded.dist_id'),
        artifact_count: eb.ref('excluded.artifact_count'),
        date_accessed: sql<Date>`now()`,
      })),
    )
    .execute();
}

export async function findReleaseFileByIdent(db: Db, releaseId: string, ident: string): Promise<ReleaseFileRecord | null> {
  const row = await db
    .selectFrom('release_file')
    .select(columns)
    .where('release_id', '=', releaseId)
    .where('ident', '=', ident)
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** Row-locks a release file (without locking its file row). */
export async function lockReleaseFileByIdent(tx: Tx, releaseId: string, ident: string): Promise<ReleaseFileRecord | null> {
  const row = await tx
    .selectFrom('release_file')
    .select(columns)
    .where('release_id', '=', releaseId)
    .where('ident', '=', ident)
    .forUpdate()
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** Inserts unless (release_id, ident) exists; null when another writer got there first. */
export async function insertReleaseFileIfAbsent(tx: Tx, file: NewReleaseFile): Promise<ReleaseFileRecord | null> {
  const row = await tx
    .insertInto('release_file')
    .values(toRow(file))
    .onConflict((oc) => oc.columns(['release_id', 'ident']).doNothing())
    .returning(columns)
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}

export async function repointReleaseFile(tx: Tx, id: string, fileId: string, artifactCount: number): Promise<void> {
  await tx.updateTable('release_file').set({ file_id: fileId, artifact_count: artifactCount }).where('id', '=', id).execute();
}

export async function listReleaseFiles(db: Db, releaseId: string): Promise<ReleaseFileRecord[]> {
  const rows = await db.selectFrom('release_file').select(columns).where('release_id', '=', releaseId).orderBy('id').execute();
  return rows.map(toRecord);
}

/** Sentry's count_artifacts: SUM(COALESCE(artifact_count, 1)) over every release file of the release. */
export async function countReleaseArtifacts(db: Db, releaseId: string): Promise<number> {
  const row = await db
    .selectFrom('release_file')
    .select(sql<string>`COALESCE(SUM(COALESCE(artifact_count, 1)), 0)`.as('count'))
    .where('release_id', '=', releaseId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
