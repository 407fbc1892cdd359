import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { CHUNK_UPLOAD_ERROR, type ChunkEncoding } from '../../domain/chunkUploadLimits.js';
import { AppError, isAppError } from '../../domain/errors.js';

/** A multipart part's stream; busboy sets `truncated` when the part passed the per-part byte limit. */
export type PartStream = Readable & { truncated?: boolean };

/**
 * Reads one chunk part into memory, gunzipping it if needed, and stops as soon as the decoded bytes pass
 * `maxBytes`: a gzip bomb costs at most `maxBytes` plus one inflate window, never its claimed size.
 * Fails with `validation_failed`: Sentry's message for an oversized chunk, a clear one for bad gzip or a broken part.
 */
export async function decodeChunkPart(part: PartStream, encoding: ChunkEncoding, maxBytes: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  let size = 0;
  const collect = async (decoded: AsyncIterable<Buffer>): Promise<void> => {
    for await (const piece of decoded) {
      size += piece.length;
      if (size > maxBytes) throw chunkTooLarge();
      pieces.push(piece);
    }
  };
  try {
    if (encoding === 'gzip') await pipeline(part, createGunzip(), collect);
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
  return Buffer.concat(pieces, size);
}

function chunkTooLarge(): AppError {
  return new AppError('validation_failed', CHUNK_UPLOAD_ERROR.chunkTooLarge);
}

/** zlib's errors carry codes such as Z_DATA_ERROR (not gzip) and Z_BUF_ERROR (cut short). */
function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
