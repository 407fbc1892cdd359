import type { Transform } from 'node:stream';
import { CompressStream, DecompressStream, decompress } from 'zstd-napi';
import binding from 'zstd-napi/binding.js';
import { looksIncompressible } from '../../domain/blobPolicy.js';

/**
 * zstd for stored blobs. The buffer API is about five times faster than the stream API on small inputs, so blobs
 * (at most a few MiB, already in memory) use buffers; streams are for reading large objects without holding them.
 * zstd-napi is pinned to 0.0.12 (0.0.13 segfaults).
 */

/** zstd's default level: a good ratio at a few hundred MB/s. */
export const DEFAULT_ZSTD_LEVEL = 3;

/**
 * zstd's `--fast=5`: the level for a blob whose samples do not compress. On such bytes it emits the same frame of
 * stored blocks as level 3, over ten times faster; on bytes that do compress after all it still saves something.
 */
export const INCOMPRESSIBLE_ZSTD_LEVEL = -5;

/** Blobs from this size on are sampled before they are compressed; below it the sampling would cost more than it saves. */
const SAMPLED_BLOB_MIN_BYTES = 256 * 1024;
/** The samples: this many bytes at the start, the middle and the end of the blob, each compressed on its own. */
const SAMPLE_BYTES = 16 * 1024;

/**
 * Output buffers worth keeping for the next blob: up to the bound of an 8 MiB chunk, and at most four of them (one
 * per blob being written at the same moment: a client's chunk uploads come four or more requests at once). A 1 MiB
 * piece needs about 1 MiB.
 */
const POOLED_BUFFER_MAX_BYTES = binding.compressBound(8 * 1024 * 1024);
const POOLED_BUFFERS_MAX = 4;

/**
 * One context for the process, as zstd-napi's own `compress` keeps: compression is synchronous, so calls never
 * overlap. We drive it directly because `Compressor.compress` allocates a fresh output buffer for every input above
 * 128 KiB and copies the result into another one, about 1.4 MiB of short-lived memory per 1 MiB blob, which V8 only
 * gives back at its next full GC (it lets external memory grow by tens of MB first).
 */
let context: binding.CCtx | undefined;
let contextLevel: number | undefined;
const freeBuffers: Buffer[] = [];

function compressInto(dest: Buffer, data: Uint8Array, level: number): number {
  context ??= new binding.CCtx();
  if (contextLevel !== level) {
    // What zstd-napi's `compress` does on every call; the frames are the same bytes.
    context.reset(binding.ResetDirective.parameters);
    context.setParameter(binding.CParameter.compressionLevel, level);
    contextLevel = level;
  }
  return context.compress2(dest, data);
}

/**
 * `level`, or the fast level when three samples of a large blob do not compress at `level`. The samples are
 * compressed into `scratch` (the blob's own output buffer, overwritten right after).
 */
export function levelFor(data: Uint8Array, level: number, scratch: Buffer): number {
  if (data.length < SAMPLED_BLOB_MIN_BYTES || level <= INCOMPRESSIBLE_ZSTD_LEVEL) return level;
  const starts = [0, (data.length - SAMPLE_BYTES) >> 1, data.length - SAMPLE_BYTES];
  const compressed = starts.reduce((sum, start) => sum + compressInto(scratch, data.subarray(start, start + SAMPLE_BYTES), level), 0);
  return looksIncompressible(starts.length * SAMPLE_BYTES, compressed) ? INCOMPRESSIBLE_ZSTD_LEVEL : level;
}

/** The smallest pooled buffer that fits, else a new one. */
function takeBuffer(bytes: number): Buffer {
  let best = -1;
  freeBuffers.forEach((b, i) => {
    if (b.length >= bytes && (best < 0 || b.length < freeBuffers[best]!.length)) best = i;
  });
  return best >= 0 ? freeBuffers.splice(best, 1)[0]! : Buffer.allocUnsafeSlow(bytes);
}

function giveBack(buffer: Buffer): void {
  if (buffer.length <= POOLED_BUFFER_MAX_BYTES && freeBuffers.length < POOLED_BUFFERS_MAX) freeBuffers.push(buffer);
}

/**
 * Compresses `data` into one zstd frame and passes it to `use`. The frame lives in a pooled buffer that is reused
 * once `use` has settled, so `use` must be done with it by then (a blob store `put` is). A buffer whose `use` failed
 * is not reused: whatever failed may still hold it.
 */
export async function withCompressedFrame<T>(
  data: Uint8Array,
  use: (frame: Buffer) => Promise<T>,
  level = DEFAULT_ZSTD_LEVEL,
): Promise<T> {
  const dest = takeBuffer(binding.compressBound(data.length));
  const result = await use(dest.subarray(0, compressInto(dest, data, levelFor(data, level, dest))));
  giveBack(dest);
  return result;
}

/** The largest zstd frame that `bytes` of input compress to. */
export function compressBound(bytes: number): number {
  return binding.compressBound(bytes);
}

/** One zstd frame in a buffer of its own. */
export function compressBuffer(data: Uint8Array, level = DEFAULT_ZSTD_LEVEL): Buffer {
  const dest = takeBuffer(binding.compressBound(data.length));
  try {
    return Buffer.from(dest.subarray(0, compressInto(dest, data, level)));
  } finally {
    giveBack(dest);
  }
}

/** Accepts any number of concatenated frames. */
export function decompressBuffer(data: Uint8Array): Buffer {
  return decompress(data);
}

/** Decompression is synchronous too, so one context serves the process. */
let decompressionContext: binding.DCtx | undefined;

/**
 * Decompresses whole frames (any number, concatenated) into `dest` and returns how many bytes it wrote; throws when
 * they do not fit. `decompressBuffer` allocates a new buffer for every call; a caller that reads blob after blob
 * passes the same `dest` each time instead. Only the returned count of bytes is meaningful: zstd may use the rest of
 * `dest` as its own workspace.
 */
export function decompressInto(dest: Uint8Array, data: Uint8Array): number {
  decompressionContext ??= new binding.DCtx();
  return decompressionContext.decompress(dest, data);
}

export function createCompressStream(level = DEFAULT_ZSTD_LEVEL): Transform {
  return new CompressStream({ compressionLevel: level });
}

/** Accepts any number of concatenated frames; fails if the input ends inside a frame. */
export function createDecompressStream(): Transform {
  return new DecompressStream();
}
