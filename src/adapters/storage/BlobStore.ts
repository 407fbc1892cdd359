import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError } from '../../domain/errors.js';

/**
 * The one storage seam every backend implements (and the contract suite in test/storage checks). Keys are opaque
 * relative paths chosen by the caller, normally `generateBlobPath()`.
 */
export interface BlobStore {
  readonly kind: 'fs' | 's3';
  /** Atomic: readers see the old object, or no object, or the complete new one; never a half-written object. */
  put(key: string, body: Buffer | Readable): Promise<void>;
  /** Rejects with AppError('not_found') when the key is absent. */
  get(key: string): Promise<Readable>;
  /**
   * The whole object in one buffer, for objects small enough to hold (a stored chunk): read into `scratch` when it
   * fits, and then a view of `scratch` that the next read into it overwrites; a larger object comes back in a buffer
   * of its own. A reader that reuses one scratch buffer spares a new chunk-sized buffer per object, which V8 would
   * give back only at its next full GC. Rejects with AppError('not_found') when the key is absent.
   */
  getBuffer(key: string, scratch: Buffer): Promise<Buffer>;
  /** Idempotent: deleting an absent key succeeds. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /**
   * Removes what puts that never finished left behind (a process killed mid-write), when last written before
   * `olderThan`, and returns how many it removed. `gc` calls it with its grace cutoff, hours back, so a write under
   * way is never touched.
   */
  removeAbandonedWrites(olderThan: Date): Promise<number>;
  close(): Promise<void>;
}

/**
 * A random storage key shaped like Sentry's `xx/xxxx/<26 hex>` (a uuid4 hex split 2/4/26). Keys are random, never
 * derived from the checksum, so concurrent uploads of the same content never write the same object.
 */
export function generateBlobPath(random: () => Buffer = () => randomBytes(16)): string {
  const bytes = Buffer.from(random().subarray(0, 16));
  if (bytes.length < 16) throw new AppError('internal', 'generateBlobPath needs 16 random bytes');
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // uuid version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 2)}/${hex.slice(2, 6)}/${hex.slice(6)}`;
}

const MAX_KEY_LENGTH = 1024;

/** Keys are relative, slash-separated and free of `.`/`..` segments, so no backend can be steered outside its root. */
export function assertValidBlobKey(key: string): void {
  const segments = key.split('/');
  const valid =
    key.length > 0 &&
    key.length <= MAX_KEY_LENGTH &&
    !key.includes('\0') &&
    !key.includes('\\') &&
    segments.every((s) => s !== '' && s !== '.' && s !== '..');
  if (!valid) throw new AppError('internal', `Invalid blob key: ${JSON.stringify(key.slice(0, 100))}`);
}
