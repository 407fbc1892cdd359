import { sql } from 'kysely';
import { AppError } from '../../domain/errors.js';
import type { Db } from '../db/connect.js';
import { isForeignKeyViolation, withDbErrors } from '../db/errors.js';
import type { FileStoreDeps } from './types.js';

export interface CollectGarbageOptions {
  /** only blobs whose timestamp is older than this are candidates (keep it well above the 12 h renewal debounce) */
  graceSeconds: number;
  /** the reference time; the database clock when omitted */
  now?: Date;
  /** rows deleted per statement */
  batchSize?: number;
}

export interface CollectGarbageResult {
  /** blob rows removed */
  removed: number;
  /** stored objects whose delete failed after their row was gone (left behind in storage) */
  failedObjectDeletes: number;
  /** temp files of writes that never finished (a process killed mid-put), older than the grace period */
  removedTempFiles: number;
}

/** Concurrent deletes per batch: enough to hide S3 latency, few enough not to trip its request rate limits. */
const OBJECT_DELETE_CONCURRENCY = 8;
/** A batch fails as a whole if a file started referencing a candidate after the statement's snapshot; retry it. */
const MAX_BATCH_ATTEMPTS = 5;

/**
 * Removes blobs that no file references and that are older than the grace period: the row first, then its object;
 * then the temp files of blob writes that were killed before they finished, older than the grace period too.
 * A blob being linked or renewed concurrently wins: the candidate query skips rows other transactions hold locks
 * on (an index insert key-share-locks its blob; a renewal updates it), re-checks the timestamp under the lock, and
 * `ON DELETE RESTRICT` on file_blob_index refuses the delete of a blob referenced after the snapshot.
 */
export async function collectGarbageBlobs(deps: FileStoreDeps, opts: CollectGarbageOptions): Promise<CollectGarbageResult> {
  const batchSize = opts.batchSize ?? 500;
  const cutoff = await withDbErrors(() => cutoffTime(deps.db, opts));
  const result: CollectGarbageResult = { removed: 0, failedObjectDeletes: 0, removedTempFiles: 0 };
  for (;;) {
    const deleted = await deleteBatchWithRetry(deps.db, cutoff, batchSize);
    result.removed += deleted.length;
    result.failedObjectDeletes += await deleteObjects(deps, deleted);
    if (deleted.length < batchSize) break;
  }
  // the same cutoff: hours back (the grace is at least the renewal interval), far behind any write still under way
  result.removedTempFiles = await deps.blobs.removeAbandonedWrites(cutoff);
  return result;
}

async function cutoffTime(db: Db, opts: CollectGarbageOptions): Promise<Date> {
  const { rows } = await sql<{ cutoff: Date }>`
    SELECT coalesce(${opts.now ?? null}::timestamptz, now()) - make_interval(secs => ${opts.graceSeconds}) AS cutoff
  `.execute(db);
  return rows[0]!.cutoff;
}

async function deleteBatchWithRetry(db: Db, cutoff: Date, batchSize: number): Promise<Array<{ path: string | null }>> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withDbErrors(() => deleteBatch(db, cutoff, batchSize));
    } catch (err) {
      if (!isForeignKeyViolation(err)) throw err;
      if (attempt >= MAX_BATCH_ATTEMPTS) {
        throw new AppError('db_conflict', 'Blob GC kept racing with files being created', { cause: err });
      }
    }
  }
}

async function deleteBatch(db: Db, cutoff: Date, batchSize: number): Promise<Array<{ path: string | null }>> {
  const { rows } = await sql<{ path: string | null }>`
    DELETE FROM file_blob AS b
    WHERE b.id IN (
      SELECT c.id FROM file_blob AS c
      WHERE c.timestamp < ${cutoff}
        AND NOT EXISTS (SELECT 1 FROM file_blob_index AS i WHERE i.blob_id = c.id)
      ORDER BY c.timestamp
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    )
    AND b.timestamp < ${cutoff}
    RETURNING b.path
  `.execute(db);
  return rows;
}

/** Deletes the stored objects of removed rows; returns how many deletes failed. Inline blobs have none. */
async function deleteObjects(deps: FileStoreDeps, rows: ReadonlyArray<{ path: string | null }>): Promise<number> {
  const paths = rows.flatMap((row) => (row.path === null ? [] : [row.path]));
  let failed = 0;
  for (let start = 0; start < paths.length; start += OBJECT_DELETE_CONCURRENCY) {
    const outcomes = await Promise.allSettled(
      paths.slice(start, start + OBJECT_DELETE_CONCURRENCY).map((path) => deps.blobs.delete(path)),
    );
    failed += outcomes.filter((o) => o.status === 'rejected').length;
  }
  return failed;
}
