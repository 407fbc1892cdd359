import { Readable } from 'node:stream';
import { AppError } from '../../domain/errors.js';
import { withDbErrors } from '../db/errors.js';
import { openBlobStream } from './blobRead.js';
import { collectStream } from './streams.js';
import type { BlobLocation, FileStoreDeps } from './types.js';

async function loadFileBlobs(deps: FileStoreDeps, fileId: string): Promise<BlobLocation[]> {
  return withDbErrors(async () => {
    const file = await deps.db.selectFrom('file').select('id').where('id', '=', fileId).executeTakeFirst();
    if (!file) throw new AppError('not_found', `File ${fileId} not found`, { details: { fileId } });
    return deps.db
      .selectFrom('file_blob_index as i')
      .innerJoin('file_blob as b', 'b.id', 'i.blob_id')
      .select(['b.path', 'b.inline_data', 'b.compression', 'b.size'])
      .where('i.file_id', '=', fileId)
      .orderBy('i.offset')
      .execute();
  });
}

/**
 * The file's bytes: its blobs in offset order, decompressed. Blobs are opened lazily, one at a time, as the reader
 * gets to them; destroying the returned stream closes the blob being read.
 */
export async function openFileStream(deps: FileStoreDeps, fileId: string): Promise<Readable> {
  const blobs = await loadFileBlobs(deps, fileId);
  async function* concatenated(): AsyncGenerator<Buffer> {
    for (const blob of blobs) yield* await openBlobStream(deps, blob);
  }
  return Readable.from(concatenated(), { objectMode: false });
}

/** A whole (small) file in memory, e.g. an artifact index; `maxBytes` guards against surprises. */
export async function readFileBuffer(deps: FileStoreDeps, fileId: string, opts: { maxBytes?: number } = {}): Promise<Buffer> {
  return collectStream(await openFileStream(deps, fileId), opts.maxBytes);
}
