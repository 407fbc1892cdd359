import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { CHUNK_UPLOAD_ERROR, type ChunkEncoding } from '../../domain/chunkUploadLimits.js';
import { AppError, isAppError } from '../../domain/errors.js';

/** A multipart part's stream; busboy sets `truncated` when the part passed the per-part byte limit. */
export type PartStream = Readable & { truncated?: boolean };

/**
 * Pieces gunzip hands over at a time. zlib's default of 16 KiB means 512 callbacks per 8 MiB chunk, each a trip from
 * the thread pool (where zlib runs, beside the event loop) back to the event loop.
 */
const GUNZIP_PIECE_BYTES = 256 * 1024;

/**
 * Reads one chunk part into `into`, gunzipping it if needed, and returns the view of `into` that holds it. It stops
 * as soon as the decoded bytes pass `into.length`, the largest chunk allowed: a gzip bomb costs at most that plus
 * one inflate window, never its claimed size.
 * Fails with `validation_failed`: Sentry's message for an oversized chunk, a clear one for bad gzip or a broken part.
 */
export async function decodeChunkPart(part: PartStream, encoding: ChunkEncoding, into: Buffer): Promise<Buffer> {
  let size = 0;
  const collect = async (decoded: AsyncIterable<Buffer>): Promise<void> => {
    for await (const piece of decoded) {
      if (size + piece.length > into.length) throw chunkTooLarge();
      size += piece.copy(into, size);
    }
  };
  try {
    if (encoding === 'gzip') await pipeline(part, createGunzip({ chunkSize: GUNZIP_PIECE_BYTES }), collect);
    else await pipeline(part, collect);
  } catch (err) {
    // a part cut off at the wire limit also breaks its gzip stream; the limit is the real cause
    if (part.truncated) throw chunkTooLarge();
    if (isAppError(err)) throw err;
    if (isZlibError(err)) throw new AppError('validation_failed', `${CHUNK_UPLOAD_ERROR.invalidGzip}: ${(err as Error).message}`, { cause: err });
    // the part stream itself failed: the multipart body ended or broke inside this part
    throw new AppError('validation_failed', `Malformed multipart body: ${(err as Error).message}`, { cause: err });
  }
  if (part.truncated) throw chunkTooLarge();
  return into.subarray(0, size);
}

function chunkTooLarge(): AppError {
  return new AppError('validation_failed', CHUNK_UPLOAD_ERROR.chunkTooLarge);
}

/** zlib's errors carry codes such as Z_DATA_ERROR (not gzip) and Z_BUF_ERROR (cut short). */
function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
