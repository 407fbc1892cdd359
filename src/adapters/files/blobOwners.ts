import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { withDbErrors } from '../db/errors.js';
import { isStale, renewStaleBlobs } from './renewal.js';

/** Lets the organisation use the blob (idempotent). */
export async function ensureBlobOwner(db: Db, blobId: string, organizationId: string): Promise<void> {
  await withDbErrors(() =>
    db
      .insertInto('file_blob_owner')
      .values({ blob_id: blobId, organization_id: organizationId })
      .onConflict((oc) => oc.columns(['blob_id', 'organization_id']).doNothing())
      .execute(),
  );
}

/**
 * The blobs with these checksums that the organisation owns, as checksum -> { id, size }. A blob without an owner
 * row for this organisation does not count (Sentry's rule: the client re-uploads it, which creates the row).
 * Stale blobs found are renewed, since the caller is about to use them.
 */
export async function findOwnedBlobs(
  db: Db,
  organizationId: string,
  checksums: readonly string[],
): Promise<Map<string, { id: string; size: number }>> {
  const owned = new Map<string, { id: string; size: number }>();
  if (checksums.length === 0) return owned;
  return withDbErrors(async () => {
    const rows = await db
      .selectFrom('file_blob as b')
      .innerJoin('file_blob_owner as o', 'o.blob_id', 'b.id')
      .select(['b.id', 'b.checksum', 'b.size', isStale('b.timestamp').as('stale')])
      .where('o.organization_id', '=', organizationId)
      .where(sql<boolean>`b.checksum = any(${[...new Set(checksums)]}::text[])`)
      .execute();
    for (const row of rows) owned.set(row.checksum, { id: row.id, size: Number(row.size) });
    await renewStaleBlobs(
      db,
      rows.filter((r) => r.stale).map((r) => r.id),
    );
    return owned;
  });
}

/** The requested checksums the organisation does not own a blob for, de-duplicated, in request order. */
export async function findMissingChunks(db: Db, organizationId: string, checksums: readonly string[]): Promise<string[]> {
  const owned = await findOwnedBlobs(db, organizationId, checksums);
  return [...new Set(checksums)].filter((checksum) => !owned.has(checksum));
}
