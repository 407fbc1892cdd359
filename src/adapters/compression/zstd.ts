import type { Transform } from 'node:stream';
import { CompressStream, DecompressStream, compress, decompress } from 'zstd-napi';

/**
 * zstd for stored blobs. The buffer API is about five times faster than the stream API on small inputs, so blobs
 * (at most a few MiB, already in memory) use buffers; streams are for reading large objects without holding them.
 * zstd-napi is pinned to 0.0.12 (0.0.13 segfaults).
 */

/** zstd's default level: a good ratio at a few hundred MB/s. */
export const DEFAULT_ZSTD_LEVEL = 3;

export function compressBuffer(data: Uint8Array, level = DEFAULT_ZSTD_LEVEL): Buffer {
  return compress(data, { compressionLevel: level });
}

/** Accepts any number of concatenated frames. */
export function decompressBuffer(data: Uint8Array): Buffer {
  return decompress(data);
}

export function createCompressStream(level = DEFAULT_ZSTD_LEVEL): Transform {
  return new CompressStream({ compressionLevel: level });
}

/** Accepts any number of concatenated frames; fails if the input ends inside a frame. */
export function createDecompressStream(): Transform {
  return new DecompressStream();
}
