import { Readable, pipeline } from 'node:stream';
import { AppError } from '../../domain/errors.js';
import { createDecompressStream, decompressBuffer } from '../compression/zstd.js';
import { withDbErrors } from '../db/errors.js';
import { collectStream } from './streams.js';
import type { BlobLocation, FileStoreDeps } from './types.js';

/** Up to this uncompressed size a blob is decompressed in one call (about 5x faster than the stream API). */
const BUFFERED_DECOMPRESS_MAX_BYTES = 8 * 1024 * 1024;

function bufferStream(data: Buffer): Readable {
  return Readable.from([data], { objectMode: false });
}

function storedPath(blob: BlobLocation): string {
  if (blob.path === null) throw new AppError('internal', 'Blob has neither inline data nor a storage path');
  return blob.path;
}

function unknownCompression(compression: string): AppError {
  return new AppError('internal', `Unknown blob compression: ${compression}`, { details: { compression } });
}

/** The blob's decompressed bytes as a stream. */
export async function openBlobStream(deps: FileStoreDeps, blob: BlobLocation): Promise<Readable> {
  if (blob.inline_data !== null) return bufferStream(blob.inline_data);
  const path = storedPath(blob);
  if (blob.compression === 'none') return deps.blobs.get(path);
  if (blob.compression !== 'zstd') throw unknownCompression(blob.compression);
  const size = blob.size === undefined || blob.size === null ? undefined : Number(blob.size);
  if (size !== undefined && size <= BUFFERED_DECOMPRESS_MAX_BYTES) {
    return bufferStream(decompressBuffer(await collectStream(await deps.blobs.get(path))));
  }
  const decompress = createDecompressStream();
  // pipeline destroys both sides on failure, so a broken source surfaces as an error on the returned stream.
  pipeline(await deps.blobs.get(path), decompress, () => undefined);
  return decompress;
}

/** One blob's decompressed bytes in memory (blobs are at most a chunk, 8 MiB). */
export async function readBlobBuffer(deps: FileStoreDeps, blobId: string): Promise<Buffer> {
  const blob = await withDbErrors(() =>
    deps.db
      .selectFrom('file_blob')
      .select(['path', 'inline_data', 'compression', 'size'])
      .where('id', '=', blobId)
      .executeTakeFirst(),
  );
  if (!blob) throw new AppError('not_found', `Blob ${blobId} not found`, { details: { blobId } });
  const data = await readBlobLocation(deps, blob);
  if (data.length !== Number(blob.size)) {
    throw new AppError('internal', `Blob ${blobId} has ${data.length} bytes, expected ${blob.size}`, {
      details: { blobId },
    });
  }
  return data;
}

async function readBlobLocation(deps: FileStoreDeps, blob: BlobLocation): Promise<Buffer> {
  if (blob.inline_data !== null) return Buffer.from(blob.inline_data);
  const stored = await collectStream(await deps.blobs.get(storedPath(blob)));
  if (blob.compression === 'none') return stored;
  if (blob.compression === 'zstd') return decompressBuffer(stored);
  throw unknownCompression(blob.compression);
}
