import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { CHUNK_UPLOAD_ERROR, type ChunkEncoding } from '../../domain/chunkUploadLimits.js';
import { AppError, isAppError } from '../../domain/errors.js';
import type { ChunkDigestThread, GunzipLimits } from '../../adapters/hashing/ChunkDigestThread.js';
import { copyIntoReceiveBuffer } from './chunkBuffers.js';

/** A multipart part's stream; busboy sets `truncated` when the part passed the per-part byte limit. */
export type PartStream = Readable & { truncated?: boolean };

/**
 * Room gunzip's output buffer has beyond the size the part states: with room left at the end, the inflate finishes in
 * that buffer instead of allocating a second one to find out that nothing more comes.
 */
const GUNZIP_OUTPUT_SLACK_BYTES = 1024;
/** The smallest output buffer: a part that states a tiny size (or lies) still inflates in few pieces. */
const GUNZIP_OUTPUT_MIN_BYTES = 64 * 1024;

/** A part's decoded bytes (a view of the receive buffer), and their SHA-1 when the thread that inflated them computed it. */
export interface DecodedChunk {
  bytes: Buffer;
  sha1?: string;
}

/** What inflates a gzip part in place off the main thread (ChunkDigestThread); undefined: it cannot, do it here. */
export type PartInflater = Pick<ChunkDigestThread, 'gunzipAndSha1'>;

/**
 * Reads one chunk part into `into` (at least the part's largest wire size, and at least `maxDecodedBytes`) and returns
 * its decoded bytes as a view of `into`. A gzip part's bytes are gathered there as they came, then inflated over
 * them by `inflater`'s thread, which hashes them as well (see ChunkDigestThread: one thread inflating one part at a
 * time reuses its memory, where libuv's pool took fresh pages for most parts). Where that thread cannot take the
 * part, it is inflated here in one trip to libuv's thread pool into a buffer of its own (Node's zlib has no call that
 * inflates into a given buffer), copied back into `into` and the inflated copy freed at once. Inflating as a stream
 * sent every 64 KiB piece to the pool and back, which cost the main thread about as much as the inflate itself.
 * Ending in `into` lets every part be hashed where it lies when `into` is shared memory. At most `maxDecodedBytes`
 * come out, the largest chunk allowed: a gzip bomb costs at most that, never its claimed size. Fails with
 * `validation_failed`: Sentry's message for an oversized chunk, a clear one for bad gzip or a broken part.
 */
export async function decodeChunkPart(
  part: PartStream,
  encoding: ChunkEncoding,
  into: Buffer,
  maxDecodedBytes: number,
  inflater?: PartInflater,
): Promise<DecodedChunk> {
  const limit = encoding === 'gzip' ? into.length : maxDecodedBytes;
  let size = 0;
  try {
    await pipeline(part, async (pieces: AsyncIterable<Buffer>) => {
      for await (const piece of pieces) {
        if (size + piece.length > limit) throw chunkTooLarge();
        size += copyIntoReceiveBuffer(into, size, piece);
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
  if (encoding !== 'gzip') return { bytes: received };
  const maxBytes = Math.min(maxDecodedBytes, into.length);
  const limits = { maxOutputLength: maxBytes, chunkSize: outputBufferBytes(received, maxBytes) };
  const onThread = await inflater?.gunzipAndSha1(into, size, limits).catch((err: unknown) => {
    throw gzipFailure(err);
  });
  if (onThread) return { bytes: into.subarray(0, onThread.size), sha1: onThread.sha1 };
  const inflated = await gunzipChunk(received, limits);
  // the wire bytes are spent: the inflated ones take their place
  const decoded = into.subarray(0, copyIntoReceiveBuffer(into, 0, inflated));
  freeInflated(inflated);
  return { bytes: decoded };
}

/**
 * Frees an inflated copy now, by detaching its ArrayBuffer, instead of at V8's next full collection: until then it
 * would count against V8's heap growth, and every 8 MiB chunk would bring that collection nearer. Only memory larger
 * than Node's Buffer pool is detached: an inflated chunk is (zlib's output buffer is at least GUNZIP_OUTPUT_MIN_BYTES,
 * and Node gives anything over half the pool's size memory of its own), while the pool itself is shared by small
 * Buffers all over the process. Node marks the pool as not detachable anyway; memory that cannot be detached is left
 * to the garbage collector.
 */
export function freeInflated(inflated: Buffer): void {
  const memory = inflated.buffer;
  if (!(memory instanceof ArrayBuffer) || memory.byteLength <= Buffer.poolSize) return;
  try {
    memory.transfer(0);
  } catch {
    // not detachable (a TypeError): nothing is lost, it is freed at the next full collection
  }
}

const gunzipAsync = promisify(gunzip);

async function gunzipChunk(wire: Buffer, limits: GunzipLimits): Promise<Buffer> {
  try {
    return await gunzipAsync(wire, limits);
  } catch (err) {
    throw gzipFailure(err);
  }
}

/** zlib's refusal of a part, here or on the thread, as the client's error; anything else as it is. */
function gzipFailure(err: unknown): unknown {
  // zlib refuses output past maxOutputLength with a RangeError
  if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return chunkTooLarge();
  if (isZlibError(err)) return new AppError('validation_failed', `${CHUNK_UPLOAD_ERROR.invalidGzip}: ${(err as Error).message}`, { cause: err });
  return err;
}

/**
 * The size of zlib's output buffer: the inflated size the gzip trailer states (ISIZE, RFC 1952), so that a small last
 * chunk does not take a chunk-sized buffer. It only sizes the buffer: a wrong one costs more pieces, zlib refuses a
 * trailer that does not match, and maxOutputLength bounds the output whatever it says.
 */
function outputBufferBytes(wire: Buffer, maxDecodedBytes: number): number {
  const stated = wire.length >= 4 ? wire.readUInt32LE(wire.length - 4) : 0;
  return Math.max(GUNZIP_OUTPUT_MIN_BYTES, Math.min(stated, maxDecodedBytes)) + GUNZIP_OUTPUT_SLACK_BYTES;
}

function chunkTooLarge(): AppError {
  return new AppError('validation_failed', CHUNK_UPLOAD_ERROR.chunkTooLarge);
}

/** zlib's errors carry codes such as Z_DATA_ERROR (not gzip) and Z_BUF_ERROR (cut short). */
function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
