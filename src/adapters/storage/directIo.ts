import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { blobFileEndedEarly, writeAll } from './fileHandles.js';

/**
 * Direct I/O (O_DIRECT) for the disk store's large writes and whole-object reads: the bytes go between a staging
 * buffer and the device, never through the page cache. A stored chunk is written once and read at most a few times
 * soon after, so keeping it in the page cache buys little, while copying it there was the largest cost of a chunk
 * upload: on the development VM (Firecracker, free page reporting) a page-cache page that the host has taken back
 * costs a host fault to touch again, and 96 MiB of new blob files cost 290-430 ms of kernel time through the page
 * cache against about 15 ms written directly. Object stores do the same for large objects (MinIO writes them with O_DIRECT).
 *
 * O_DIRECT wants the memory address, the file offset and the length aligned to the device's block size. Node gives
 * no aligned Buffers, but a WebAssembly.Memory is mapped by V8 itself and starts on a page boundary, so the staging
 * buffers are pieces of one; a body is copied into them piece by piece (one more copy, into memory already mapped),
 * and the last piece is padded with zeros to the alignment and the file cut back to the body's length.
 */

/** Bodies and objects from this size on go directly; below it a page-cache copy costs less than a device round trip. */
export const DIRECT_IO_MIN_BYTES = 1024 * 1024;
/** Address, offset and length alignment: 4 KiB serves devices with 512-byte and 4 KiB logical blocks. */
export const DIRECT_IO_ALIGNMENT = 4096;
/**
 * One staging buffer, and the most one direct read or write carries. 1 MiB pieces of four writes at once kept the device as
 * busy as 8 MiB ones (12 puts of 8 MiB: 55-60 ms against 65-75 ms on the development machine).
 */
export const DIRECT_IO_PIECE_BYTES = 1024 * 1024;
/**
 * Staging buffers per process (one WebAssembly.Memory of 4 MiB, mapped at the first direct read or write): as many
 * as libuv has threads by default. A piece waits for a free one.
 */
export const DIRECT_IO_STAGING_BUFFERS = 4;

const WASM_PAGE_BYTES = 64 * 1024;

/** WebAssembly.Memory, which Node has; its types come with TypeScript's DOM library, which this project leaves out. */
interface WasmMemoryConstructor {
  new (descriptor: { initial: number; maximum: number }): { readonly buffer: ArrayBuffer };
}

/** The open flags of a file written directly; undefined where the platform has no O_DIRECT (macOS). */
export const DIRECT_WRITE_FLAGS: number | undefined =
  constants.O_DIRECT === undefined ? undefined : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DIRECT;
/** The open flags of a file read directly. */
export const DIRECT_READ_FLAGS: number | undefined = constants.O_DIRECT === undefined ? undefined : constants.O_RDONLY | constants.O_DIRECT;

/** The process's aligned staging buffers, handed out one at a time, and waited for when all are out. */
export class StagingBuffers {
  private readonly free: Buffer[];
  private readonly waiting: Array<(buffer: Buffer) => void> = [];

  constructor(memory: ArrayBuffer, count: number, bytes: number) {
    this.free = Array.from({ length: count }, (_, i) => Buffer.from(memory, i * bytes, bytes));
  }

  take(): Promise<Buffer> {
    const buffer = this.free.pop();
    return buffer ? Promise.resolve(buffer) : new Promise((resolve) => this.waiting.push(resolve));
  }

  give(buffer: Buffer): void {
    const next = this.waiting.shift();
    if (next) next(buffer);
    else this.free.push(buffer);
  }
}

let staging: StagingBuffers | null | undefined;

/**
 * The process's staging buffers, mapped on first use; null when WebAssembly memory cannot be had (Node run with
 * --jitless, or an address-space limit), and then the disk store writes through the page cache.
 */
export function stagingBuffers(): StagingBuffers | null {
  if (staging !== undefined) return staging;
  const bytes = DIRECT_IO_PIECE_BYTES * DIRECT_IO_STAGING_BUFFERS;
  const Memory = (globalThis as { WebAssembly?: { Memory?: WasmMemoryConstructor } }).WebAssembly?.Memory;
  try {
    if (!Memory) throw new Error('no WebAssembly');
    const pages = bytes / WASM_PAGE_BYTES;
    staging = new StagingBuffers(new Memory({ initial: pages, maximum: pages }).buffer, DIRECT_IO_STAGING_BUFFERS, DIRECT_IO_PIECE_BYTES);
  } catch {
    staging = null;
  }
  return staging;
}

/**
 * Writes `body` from offset 0 of a file opened with DIRECT_WRITE_FLAGS, in pieces through `buffers`, and cuts the file
 * back to `body.length` when the last piece was padded. A filesystem that refuses direct I/O after all fails the
 * write with EINVAL, which the caller takes as "write this one through the page cache".
 */
export async function writeDirect(handle: FileHandle, body: Buffer, buffers: StagingBuffers): Promise<void> {
  await eachPiece(body.length, buffers, async (at, buffer) => {
    const piece = body.subarray(at, at + DIRECT_IO_PIECE_BYTES);
    const length = alignUp(piece.length);
    piece.copy(buffer);
    // the padding is cut off the file below; zeros keep stale staging bytes off the disk all the same
    buffer.fill(0, piece.length, length);
    await writeAll(handle, buffer.subarray(0, length), at);
  });
  if (body.length % DIRECT_IO_ALIGNMENT !== 0) await handle.truncate(body.length);
}

/**
 * Reads the first `target.length` bytes of a file opened with DIRECT_READ_FLAGS into `target`, in pieces through
 * `buffers`. A blob that was written directly is not in the page cache, and reading it through the page cache would
 * cost the new pages that writing it directly saved (a worker joins the chunks of an upload right after it): the
 * artifact-bundle job's join_chunks took 0.26 s for 25 MB read through the page cache, 0.09 s read directly. Fails
 * with `internal` when the file ends early, and with EINVAL where the filesystem refuses direct I/O, for the caller
 * to read it the usual way.
 */
export async function readDirect(handle: FileHandle, target: Buffer, buffers: StagingBuffers): Promise<void> {
  await eachPiece(target.length, buffers, async (at, buffer) => {
    const wanted = Math.min(DIRECT_IO_PIECE_BYTES, target.length - at);
    const { bytesRead } = await handle.read(buffer, 0, alignUp(wanted), at);
    if (bytesRead < wanted) throw blobFileEndedEarly(at + bytesRead, target.length);
    buffer.copy(target, at, 0, wanted);
  });
}

/**
 * Runs `io` for every piece of `bytes` at once, each with a staging buffer of its own (so as many at a time as there
 * are free buffers: one device round trip per piece, overlapped, instead of one after another), and settles when all
 * have: nothing is still writing or reading when the caller closes the file. Fails with the first piece's error.
 */
async function eachPiece(bytes: number, buffers: StagingBuffers, io: (at: number, buffer: Buffer) => Promise<void>): Promise<void> {
  const offsets = Array.from({ length: Math.ceil(bytes / DIRECT_IO_PIECE_BYTES) }, (_, i) => i * DIRECT_IO_PIECE_BYTES);
  const settled = await Promise.allSettled(
    offsets.map(async (at) => {
      const buffer = await buffers.take();
      try {
        await io(at, buffer);
      } finally {
        buffers.give(buffer);
      }
    }),
  );
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

export function alignUp(bytes: number): number {
  return Math.ceil(bytes / DIRECT_IO_ALIGNMENT) * DIRECT_IO_ALIGNMENT;
}

/** EINVAL from open or write: this filesystem (ramfs, some network and FUSE filesystems) does not do direct I/O. */
export function isDirectIoRefused(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EINVAL';
}
