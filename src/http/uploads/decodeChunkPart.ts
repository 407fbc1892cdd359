import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { CHUNK_UPLOAD_ERROR, type ChunkEncoding } from '../../domain/chunkUploadLimits.js';
import { AppError, isAppError } from '../../domain/errors.js';

/** A multipart part's stream; busboy sets `truncated` when the part passed the per-part byte limit. */
export type PartStream = Readable & { truncated?: boolean };

/**
 * Room gunzip's one output buffer has beyond the largest chunk: with room left at the end, the inflate finishes in
 * that buffer instead of allocating a second one to find out that nothing more comes.
 */
const GUNZIP_OUTPUT_SLACK_BYTES = 1024;

/**
 * Reads one chunk part into `into` (at least the part's largest wire size) and returns its decoded bytes: a view of
 * `into` for a plain part; for a gzip part, the part's bytes as they came are gathered in `into` and inflated in one
 * call on this thread. Inflating as a stream cost three times as long: every piece of the part was a trip to the
 * thread pool and back, and each 64 KiB piece was one. At most `maxDecodedBytes` come out, the largest chunk allowed: a
 * gzip bomb costs at most that, never its claimed size.
 * Fails with `validation_failed`: Sentry's message for an oversized chunk, a clear one for bad gzip or a broken part.
 */
export async function decodeChunkPart(part: PartStream, encoding: ChunkEncoding, into: Buffer, maxDecodedBytes: number): Promise<Buffer> {
  const limit = encoding === 'gzip' ? into.length : maxDecodedBytes;
  let size = 0;
  try {
    await pipeline(part, async (pieces: AsyncIterable<Buffer>) => {
      for await (const piece of pieces) {
        if (size + piece.length > limit) throw chunkTooLarge();
        size += piece.copy(into, size);
      }
    });
  } catch (err) {
    if (part.truncated) throw chunkTooLarge();
    if (isAppError(err)) throw err;
    // the part stream itself failed: the multipart body ended or broke inside this part
    throw new AppError('validation_failed', `Malformed multipart body: ${(err as Error).message}`, { cause: err });
  }
  if (part.truncated) throw chunkTooLarge();
  const received = into.subarray(0, size);
  return encoding === 'gzip' ? gunzipChunk(received, maxDecodedBytes) : received;
}

function gunzipChunk(wire: Buffer, maxDecodedBytes: number): Buffer {
  try {
    return gunzipSync(wire, { maxOutputLength: maxDecodedBytes, chunkSize: maxDecodedBytes + GUNZIP_OUTPUT_SLACK_BYTES });
  } catch (err) {
    // zlib refuses output past maxOutputLength with a RangeError
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw chunkTooLarge();
    if (isZlibError(err)) throw new AppError('validation_failed', `${CHUNK_UPLOAD_ERROR.invalidGzip}: ${(err as Error).message}`, { cause: err });
    throw err;
  }
}

function chunkTooLarge(): AppError {
  return new AppError('validation_failed', CHUNK_UPLOAD_ERROR.chunkTooLarge);
}

/** zlib's errors carry codes such as Z_DATA_ERROR (not gzip) and Z_BUF_ERROR (cut short). */
function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
