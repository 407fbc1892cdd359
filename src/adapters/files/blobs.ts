import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { canStoreInline } from '../../domain/blobPolicy.js';
import { AppError } from '../../domain/errors.js';
import { withCompressedFrame } from '../compression/zstd.js';
import type { Db } from '../db/connect.js';
import { isForeignKeyViolation, withDbErrors } from '../db/errors.js';
import { generateBlobPath } from '../storage/BlobStore.js';
import { ensureBlobOwner } from './blobOwners.js';
import { isStale } from './renewal.js';
import type { FileStoreDeps, StoredBlob } from './types.js';

/** A blob can vanish under us only through GC (between our lookup and our owner insert); try again from scratch. */
const MAX_ATTEMPTS = 3;

export interface StoreBlobOptions {
  /** the SHA-1 the sender claims; a different actual checksum fails with `checksum_mismatch` */
  expectedChecksum?: string;
  /** the bytes' SHA-1 (lowercase hex) when the caller has computed it (off the main thread); else computed here */
  checksum?: string;
  /** the organisation that may use the blob from now on (a file_blob_owner row) */
  organizationId?: string;
}

/**
 * Stores `data` as a content-addressed blob, or reuses the blob that already holds the same bytes (renewing its
 * timestamp if older than 12 h). Races are settled by the unique checksum: the loser deletes its own object.
 *
 * Commit the blob row on its own (pass the pool, not a transaction that may roll back): a rolled-back row would
 * leave its stored object with nothing pointing at it.
 */
export async function storeBlob(deps: FileStoreDeps, data: Buffer, opts: StoreBlobOptions = {}): Promise<StoredBlob> {
  const checksum = opts.checksum ?? createHash('sha1').update(data).digest('hex');
  if (opts.expectedChecksum !== undefined && opts.expectedChecksum.toLowerCase() !== checksum) {
    throw new AppError('checksum_mismatch', 'Checksum mismatch', {
      details: { expected: opts.expectedChecksum, actual: checksum },
    });
  }
  return withDbErrors(async () => {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      try {
        const blob = (await reuseExistingBlob(deps.db, checksum)) ?? (await insertNewBlob(deps, data, checksum));
        if (blob === null) continue; // the race winner vanished before we could read it
        if (opts.organizationId !== undefined) await ensureBlobOwner(deps.db, blob.id, opts.organizationId);
        return blob;
      } catch (err) {
        if (!isForeignKeyViolation(err)) throw err;
        // Inside a transaction the failed statement has aborted it; only the caller can start over.
        if (deps.db.isTransaction) throw blobVanished(checksum, err);
      }
    }
    throw blobVanished(checksum);
  });
}

/** Transient: a retry stores the bytes afresh. */
function blobVanished(checksum: string, cause?: unknown): AppError {
  return new AppError('db_conflict', 'A blob was garbage-collected while it was being stored', {
    cause,
    details: { checksum },
  });
}

/** The blob with this checksum, renewed if stale; null when there is none (or GC took it meanwhile). */
async function reuseExistingBlob(db: Db, checksum: string): Promise<StoredBlob | null> {
  const found = await db
    .selectFrom('file_blob')
    .select(['id', 'size', isStale('timestamp').as('stale')])
    .where('checksum', '=', checksum)
    .executeTakeFirst();
  if (!found) return null;
  if (found.stale) {
    // Renewing takes the row lock; GC re-checks the timestamp under that lock, so it cannot delete it now.
    const renewed = await db
      .updateTable('file_blob')
      .set({ timestamp: sql<Date>`now()` })
      .where('id', '=', found.id)
      .returning('id')
      .executeTakeFirst();
    if (!renewed) return null;
  }
  return { id: found.id, checksum, size: Number(found.size) };
}

/** Writes the object (or keeps the bytes inline), then claims the checksum; null if we lost a race. */
async function insertNewBlob(deps: FileStoreDeps, data: Buffer, checksum: string): Promise<StoredBlob | null> {
  const inline = canStoreInline(data);
  const path = inline ? null : generateBlobPath();
  if (path !== null) await withCompressedFrame(data, (frame) => deps.blobs.put(path, frame));
  let inserted: { id: string } | undefined;
  try {
    inserted = await deps.db
      .insertInto('file_blob')
      .values({
        checksum,
        size: data.length,
        path,
        inline_data: inline ? data : null,
        compression: inline ? 'none' : 'zstd',
      })
      .onConflict((oc) => oc.column('checksum').doNothing())
      .returning('id')
      .executeTakeFirst();
  } catch (err) {
    if (path !== null) await deps.blobs.delete(path).catch(() => undefined);
    throw err;
  }
  if (inserted) return { id: inserted.id, checksum, size: data.length };
  // Someone else stored the same bytes first: theirs wins, ours goes.
  if (path !== null) await deps.blobs.delete(path).catch(() => undefined);
  return reuseExistingBlob(deps.db, checksum);
}
