import type { DbOrTx, Tx } from './connect.js';

/** A release-bundle upload whose release files were committed (migration 0006). */
export interface ReleaseBundleUpload {
  organizationId: string;
  releaseId: string;
  checksum: string;
  fileCount: number;
  dateAdded: Date;
  dateLastSeen: Date;
}

export interface NewReleaseBundleUpload {
  organizationId: string;
  releaseId: string;
  checksum: string;
  fileCount: number;
}

/**
 * Records a stored upload. Takes the transaction that writes the bundle's release files, so the row commits or rolls
 * back with them. A retried job or an identical re-upload only moves `date_last_seen`.
 */
export async function recordReleaseBundleUpload(tx: Tx, upload: NewReleaseBundleUpload, now = new Date()): Promise<void> {
  await tx
    .insertInto('release_bundle_upload')
    .values({
      organization_id: upload.organizationId,
      release_id: upload.releaseId,
      checksum: upload.checksum,
      file_count: upload.fileCount,
      date_added: now,
      date_last_seen: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['organization_id', 'release_id', 'checksum'])
        .doUpdateSet((eb) => ({ date_last_seen: eb.ref('excluded.date_last_seen') })),
    )
    .execute();
}

/**
 * The stored upload of `checksum` for the release named `version`, looked up by version (one indexed join) because
 * that is what the assemble request names: a release deleted and created again under the same version is another
 * release, with no uploads.
 */
export async function findReleaseBundleUpload(
  db: DbOrTx,
  key: { organizationId: string; version: string; checksum: string },
): Promise<ReleaseBundleUpload | undefined> {
  const row = await db
    .selectFrom('release_bundle_upload as u')
    .innerJoin('release as r', 'r.id', 'u.release_id')
    .select(['u.organization_id', 'u.release_id', 'u.checksum', 'u.file_count', 'u.date_added', 'u.date_last_seen'])
    .where('r.organization_id', '=', key.organizationId)
    .where('r.version', '=', key.version)
    .where('u.organization_id', '=', key.organizationId)
    .where('u.checksum', '=', key.checksum)
    .executeTakeFirst();
  return (
    row && {
      organizationId: row.organization_id,
      releaseId: row.release_id,
      checksum: row.checksum,
      fileCount: row.file_count,
      dateAdded: row.date_added,
      dateLastSeen: row.date_last_seen,
    }
  );
}

/**
 * Forgets every stored upload of a release. Runs in the transaction that deletes any of its release files: a record
 * promises that the upload's files are there, so once one of them is gone an identical upload must be assembled
 * again, not answered `ok` from Postgres. (A Redis status younger than its 600 s still answers `ok`, as in Sentry.)
 */
export async function forgetReleaseBundleUploads(tx: Tx, releaseId: string): Promise<void> {
  await tx.deleteFrom('release_bundle_upload').where('release_id', '=', releaseId).execute();
}
