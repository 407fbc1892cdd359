import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { DEFAULT_BLOB_SIZE } from '../../domain/blobPolicy.js';
import { normalizeContentType } from '../../domain/contentType.js';
import { AppError } from '../../domain/errors.js';
import type { Db } from '../db/connect.js';
import { isForeignKeyViolation, withDbErrors } from '../db/errors.js';
import { storeBlob } from './blobs.js';
import { readPieces } from './streams.js';
import type { FileMetaInput, FileStoreDeps, StoredFile } from './types.js';

const INDEX_ROWS_PER_INSERT = 1000;

export interface PutFileOptions {
  /** piece size; each piece becomes one (deduplicated) blob. Default 1 MiB, as Sentry's putfile. */
  blobSize?: number;
}

/** Content stored as blobs but not yet part of any file: what `createFileFromBlobs` turns into a file. */
export interface StoredContent {
  blobs: Array<{ id: string; size: number }>;
  checksum: string;
  size: number;
}

/**
 * Cuts content into `blobSize` pieces and stores each as a deduplicated blob; holds one piece in memory at a time.
 * Pass the pool, not a transaction: blob rows must commit on their own, so that if the caller's transaction rolls
 * back they are merely unreferenced and the GC pass removes them with their objects.
 */
export async function storeContent(deps: FileStoreDeps, source: Readable | Buffer, opts: PutFileOptions = {}): Promise<StoredContent> {
  const hash = createHash('sha1');
  const blobs: StoredContent['blobs'] = [];
  let size = 0;
  // Each piece is hashed and stored before the next is read, so one piece buffer serves them all.
  for await (const piece of readPieces(source, opts.blobSize ?? DEFAULT_BLOB_SIZE, { reuseBuffer: true })) {
    hash.update(piece);
    size += piece.length;
    const blob = await storeBlob(deps, piece);
    blobs.push({ id: blob.id, size: blob.size });
  }
  return { blobs, checksum: hash.digest('hex'), size };
}

/**
 * Stores content as a file: `storeContent`, then the file row and its index rows in one transaction (the caller's,
 * if `deps.db` is one).
 */
export async function putFile(
  deps: FileStoreDeps,
  meta: FileMetaInput,
  source: Readable | Buffer,
  opts: PutFileOptions = {},
): Promise<StoredFile> {
  const content = await storeContent(deps, source, opts);
  const { contentType, ...rest } = meta;
  const headers = contentType === undefined ? meta.headers : { ...meta.headers, 'Content-Type': normalizeContentType(contentType, meta.name) };
  return createFileFromBlobs(deps.db, { ...rest, ...(headers ? { headers } : {}), checksum: content.checksum }, content.blobs);
}

/**
 * Creates a file made of existing blobs in the given order (repeats allowed); offsets accumulate the sizes. The
 * checksum is the caller's (computed while it read the blobs). A blob that vanished is a transient conflict.
 */
export async function createFileFromBlobs(
  db: Db,
  meta: FileMetaInput & { checksum: string },
  blobs: ReadonlyArray<{ id: string; size: number }>,
): Promise<StoredFile> {
  const size = blobs.reduce((sum, blob) => sum + blob.size, 0);
  return withDbErrors(() =>
    inTransaction(db, async (tx) => {
      const file = await tx
        .insertInto('file')
        .values({
          name: meta.name,
          type: meta.type,
          headers: JSON.stringify(meta.headers ?? {}),
          size,
          checksum: meta.checksum,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await insertIndexRows(tx, file.id, blobs);
      return { id: file.id, size, checksum: meta.checksum };
    }),
  );
}

async function insertIndexRows(db: Db, fileId: string, blobs: ReadonlyArray<{ id: string; size: number }>) {
  let offset = 0;
  const rows = blobs.map((blob) => {
    const row = { file_id: fileId, blob_id: blob.id, offset };
    offset += blob.size;
    return row;
  });
  for (let start = 0; start < rows.length; start += INDEX_ROWS_PER_INSERT) {
    try {
      await db.insertInto('file_blob_index').values(rows.slice(start, start + INDEX_ROWS_PER_INSERT)).execute();
    } catch (err) {
      if (!isForeignKeyViolation(err)) throw err;
      throw new AppError('db_conflict', 'A blob disappeared while it was being linked to a file', { cause: err });
    }
  }
}

/**
 * Deletes file rows (their index rows cascade). Their blobs stay until the GC finds them unreferenced and older than
 * its grace period; their timestamps are renewed here, so that a reader that loaded one of these files' blob list
 * while it was current (a download under way, a snapshot read) finds every blob for a whole grace period more.
 */
export async function deleteFiles(db: Db, fileIds: readonly string[]): Promise<void> {
  if (fileIds.length === 0) return;
  const ids = [...fileIds];
  await withDbErrors(async () => {
    // row locks in id order: two transactions renewing blobs they share wait for each other instead of deadlocking
    await sql`
      UPDATE file_blob SET timestamp = now()
      WHERE id IN (
        SELECT b.id FROM file_blob AS b
        WHERE b.id IN (SELECT i.blob_id FROM file_blob_index AS i WHERE i.file_id = any(${ids}::bigint[]))
        ORDER BY b.id
        FOR NO KEY UPDATE
      )
    `.execute(db);
    await db
      .deleteFrom('file')
      .where(sql<boolean>`id = any(${ids}::bigint[])`)
      .execute();
  });
}

function inTransaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
