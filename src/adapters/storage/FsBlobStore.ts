import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, opendir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { assertValidBlobKey, type BlobStore } from './BlobStore.js';
import { DIRECT_WRITE_FLAGS, DIRECT_READ_FLAGS, DIRECT_IO_MIN_BYTES, isDirectIoRefused, readDirect, stagingBuffers, writeDirect, type StagingBuffers } from './directIo.js';
import { blobFileEndedEarly, writeAll } from './fileHandles.js';
import { notFound, translateFsError } from './storageErrors.js';

/**
 * Blobs as files under one root directory. A put writes a temp file beside the target, fsyncs it, renames it into
 * place and fsyncs the directory, so a reader (or a crash) never sees a half-written object. Temp files end in
 * `.tmp` and never collide with keys made by `generateBlobPath`.
 */
const TEMP_SUFFIX = '.tmp';
/** The temp files `put` makes, and nothing else: keys never end in `.tmp` (see generateBlobPath). */
const TEMP_FILE = /\.[0-9a-f]{12}\.tmp$/;

export interface FsBlobStoreOptions {
  /** write bodies, and read whole objects (getBuffer), of DIRECT_IO_MIN_BYTES and more with O_DIRECT (STORAGE_DIRECT_IO); default on */
  directIo?: boolean;
  /** told once, when the filesystem first refuses direct I/O and the store turns to the page cache */
  onDirectIoRefused?: (err: unknown) => void;
}

export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;
  readonly root: string;
  private directIo: boolean;
  private readonly onDirectIoRefused: (err: unknown) => void;

  constructor(root: string, options: FsBlobStoreOptions = {}) {
    this.root = resolve(root);
    this.directIo = (options.directIo ?? true) && DIRECT_WRITE_FLAGS !== undefined;
    this.onDirectIoRefused = options.onDirectIoRefused ?? (() => {});
  }

  /** Whether large bodies go to the device directly: asked for, and not (yet) refused by the filesystem. */
  get usesDirectIo(): boolean {
    return this.directIo;
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    const target = this.pathOf(key);
    await this.fsCall(key, 'put', () => mkdir(dirname(target), { recursive: true }));
    const direct = this.directWriteOf(body);
    if (direct) await this.putDirect(key, target, direct.body, direct.staging);
    else await this.writeInPlace(key, target, 'wx', (handle) => writeBody(handle, body, (fn) => this.fsCall(key, 'put', fn)));
    await this.fsCall(key, 'put', () => syncDirectory(dirname(target)));
  }

  /**
   * A direct write; where the filesystem refuses direct I/O (EINVAL), this body and every later one are written
   * through the page cache instead, as they were before direct writes existed.
   */
  private async putDirect(key: string, target: string, body: Buffer, staging: StagingBuffers): Promise<void> {
    try {
      await this.writeInPlace(key, target, DIRECT_WRITE_FLAGS!, (handle) => this.fsCall(key, 'put', () => writeDirect(handle, body, staging)));
    } catch (err) {
      if (!isDirectIoRefused(err)) throw err;
      this.refuseDirectIo(err);
      await this.writeInPlace(key, target, 'wx', (handle) => this.fsCall(key, 'put', () => writeAll(handle, body)));
    }
  }

  /** The body and the staging buffers to write it directly with, or null when it goes through the page cache. */
  private directWriteOf(body: Buffer | Readable): { body: Buffer; staging: StagingBuffers } | null {
    if (!Buffer.isBuffer(body)) return null;
    const staging = this.stagingFor(body.length);
    return staging ? { body, staging } : null;
  }

  /** The staging buffers for direct I/O of this many bytes, or null when they go through the page cache. */
  private stagingFor(bytes: number): StagingBuffers | null {
    return this.directIo && bytes >= DIRECT_IO_MIN_BYTES ? stagingBuffers() : null;
  }

  private refuseDirectIo(err: unknown): void {
    if (this.directIo) this.onDirectIoRefused(err);
    this.directIo = false;
  }

  /** Writes a temp file beside `target` with `write`, fsyncs it and renames it into place; on failure removes it. */
  private async writeInPlace(key: string, target: string, flags: string | number, write: (handle: FileHandle) => Promise<void>): Promise<void> {
    const temp = `${target}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    const handle = await this.fsCall(key, 'put', () => open(temp, flags, 0o644)).catch(async (err: unknown) => {
      // A filesystem that refuses O_DIRECT (ramfs) creates the file before it refuses the open.
      if (isDirectIoRefused(err)) await unlink(temp).catch(() => undefined);
      throw err;
    });
    try {
      await write(handle);
      await this.fsCall(key, 'put', () => handle.sync());
      await this.fsCall(key, 'put', () => handle.close());
      await this.fsCall(key, 'put', () => rename(temp, target));
    } catch (err) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  async get(key: string): Promise<Readable> {
    const { handle, size } = await this.openObject(key, 'get');
    return handle.createReadStream(readOptions(size));
  }

  async getBuffer(key: string, scratch: Buffer): Promise<Buffer> {
    const { handle, size } = await this.openObject(key, 'getBuffer');
    try {
      const target = size <= scratch.length ? scratch.subarray(0, size) : Buffer.allocUnsafe(size);
      const staging = this.stagingFor(size);
      if (!staging || !(await this.readWholeDirectly(key, target, staging))) await this.fsCall(key, 'getBuffer', () => readExactly(handle, target));
      return target;
    } finally {
      await handle.close();
    }
  }

  /** Reads `target.length` bytes of the object directly; false when the filesystem refuses (then read as usual). */
  private async readWholeDirectly(key: string, target: Buffer, staging: StagingBuffers): Promise<boolean> {
    try {
      const handle = await open(this.pathOf(key), DIRECT_READ_FLAGS!);
      try {
        await readDirect(handle, target, staging);
      } finally {
        await handle.close();
      }
      return true;
    } catch (err) {
      if (!isDirectIoRefused(err)) throw translateFsError(err, key, 'getBuffer');
      this.refuseDirectIo(err);
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw translateFsError(err, key, 'delete');
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw translateFsError(err, key, 'exists');
    }
  }

  /**
   * A put killed between `open` and `rename` leaves its `<key>.<12 hex>.tmp` beside the target: removed here once
   * older than `olderThan` (its mtime moves with every write, so a slow write under way stays young).
   */
  async removeAbandonedWrites(olderThan: Date): Promise<number> {
    let removed = 0;
    try {
      for await (const entry of await opendir(this.root, { recursive: true, bufferSize: 256 })) {
        if (!entry.isFile() || !TEMP_FILE.test(entry.name)) continue;
        const path = join(entry.parentPath, entry.name);
        const stats = await lstat(path).catch(() => null);
        if (!stats || stats.mtime >= olderThan) continue;
        await unlink(path).then(
          () => (removed += 1),
          (err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw err;
          },
        );
      }
    } catch (err) {
      // no root yet: nothing was ever written, so nothing was left behind
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || (err as NodeJS.ErrnoException).path !== this.root) {
        throw translateFsError(err, '.', 'removeAbandonedWrites');
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  /** The open file and its size; a key that names a directory (a prefix of other keys) is not an object. */
  private async openObject(key: string, operation: string): Promise<{ handle: FileHandle; size: number }> {
    const handle = await this.fsCall(key, operation, () => open(this.pathOf(key), 'r'));
    const stats = await handle.stat().catch(() => null);
    if (!stats?.isFile()) {
      await handle.close();
      throw notFound(key);
    }
    return { handle, size: stats.size };
  }

  private pathOf(key: string): string {
    assertValidBlobKey(key);
    return join(this.root, ...key.split('/'));
  }

  private async fsCall<T>(key: string, operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translateFsError(err, key, operation);
    }
  }
}

/** Objects up to this size are read in one `read` call (a stored blob is at most a chunk, 8 MiB, plus zstd framing). */
const SINGLE_READ_MAX_BYTES = 8 * 1024 * 1024 + 64 * 1024;
const STREAM_READ_BYTES = 256 * 1024;

/**
 * Callers read stored blobs whole, so a blob comes back as one chunk: one buffer instead of 32 reads of 256 KiB that
 * the reader would then have to concatenate (twice the blob in short-lived memory, which V8 frees only at its
 * next full GC). `end` stops the stream at the size it saw, so it ends without a last, empty read of that size.
 */
function readOptions(size: number): { highWaterMark: number; start: number; end?: number } {
  if (size === 0) return { highWaterMark: STREAM_READ_BYTES, start: 0 };
  return { highWaterMark: size <= SINGLE_READ_MAX_BYTES ? size : STREAM_READ_BYTES, start: 0, end: size - 1 };
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk));
}

/** Source errors (a client that hung up) pass through untouched; only our own I/O goes through `io` to be translated. */
async function writeBody(handle: FileHandle, body: Buffer | Readable, io: <T>(fn: () => Promise<T>) => Promise<T>): Promise<void> {
  if (Buffer.isBuffer(body)) await io(() => writeAll(handle, body));
  else for await (const chunk of body) await io(() => writeAll(handle, toBuffer(chunk)));
}

/**
 * Fills `target` from the start of the file. `read` may return fewer bytes than asked; a file that ends early is an
 * error (blobFileEndedEarly), not a short read.
 */
async function readExactly(handle: FileHandle, target: Buffer): Promise<void> {
  let offset = 0;
  while (offset < target.length) {
    const { bytesRead } = await handle.read(target, offset, target.length - offset, offset);
    if (bytesRead === 0) throw blobFileEndedEarly(offset, target.length);
    offset += bytesRead;
  }
}

/** Makes the rename itself durable. Some platforms cannot fsync a directory; that only weakens crash durability. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync().catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EINVAL' && err.code !== 'EISDIR' && err.code !== 'EPERM') throw err;
    });
  } finally {
    await handle.close();
  }
}
