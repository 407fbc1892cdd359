import { sql, type RawBuilder } from 'kysely';
import { BLOB_RENEWAL_SECONDS } from '../../domain/blobPolicy.js';
import type { Db } from '../db/connect.js';

/** SQL: is the timestamp column older than the renewal interval (by the database clock)? */
export function isStale(column: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} < now() - make_interval(secs => ${BLOB_RENEWAL_SECONDS})`;
}

/**
 * Bumps the timestamp of those blobs that are older than the renewal interval, so a blob that is about to be used
 * again is not garbage-collected first. Fresh blobs are left alone (no write for the common case).
 */
export async function renewStaleBlobs(db: Db, blobIds: readonly string[]): Promise<void> {
  if (blobIds.length === 0) return;
  await db
    .updateTable('file_blob')
    .set({ timestamp: sql<Date>`now()` })
    .where(sql<boolean>`id = any(${[...blobIds]}::bigint[])`)
    .where(isStale('timestamp'))
    .execute();
}
