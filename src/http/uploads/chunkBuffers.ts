/**
 * Buffers that uploaded parts are received into, as large as a part may be on the wire (a gzipped chunk of
 * incompressible bytes is slightly larger than the chunk: about 8.2 MiB for 8 MiB chunks), kept for the next part.
 * A fresh 8 MiB buffer costs two thousand page faults the first time it is written (the kernel zeroes every page),
 * which made receiving a part run at about 220 MB/s; a buffer written before costs only the copy.
 */

/** How many receive buffers the API keeps between requests: 4 x a part's wire size (about 33 MiB) at most. */
export const CHUNK_RECEIVE_BUFFERS_KEPT = 4;

export class ChunkBufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    /** every buffer holds this many bytes (the largest chunk a part may decode to) */
    readonly bufferBytes: number,
    private readonly kept = CHUNK_RECEIVE_BUFFERS_KEPT,
  ) {}

  /** A kept buffer, or a new one when all are in use: shared memory, so that ChunkDigestThread can hash a part in place. */
  take(): Buffer {
    return this.free.pop() ?? Buffer.from(new SharedArrayBuffer(this.bufferBytes));
  }

  /** Keeps `buffer` for a later `take` (unless enough are kept). Only what nothing reads any more comes back. */
  give(buffer: Buffer): void {
    if (buffer.length === this.bufferBytes && this.free.length < this.kept) this.free.push(buffer);
  }

  /** Buffers kept now (for tests). */
  get keptCount(): number {
    return this.free.length;
  }
}

/**
 * Copies all of `source` into `target` from `at` (which must have room for it) and returns how many bytes that was.
 * Buffer#copy into shared memory, as a receive buffer is, goes through V8's relaxed memmove, which moves byte by byte
 * when the two addresses are not equally aligned, as a part's bytes inside a socket read seldom are: 38-40 ms per 96
 * MiB against 7-9 ms for memcpy, and 10% of a gzip upload's CPU (`perf`). Node's fill() with a Buffer copies it with
 * memcpy, and a range exactly as long as the Buffer is filled with it once.
 */
export function copyIntoReceiveBuffer(target: Buffer, at: number, source: Buffer): number {
  if (source.length === 0) return 0;
  if (at + source.length > target.length) throw new RangeError(`${source.length} bytes at ${at} do not fit in ${target.length}`);
  target.fill(source, at, at + source.length);
  return source.length;
}
