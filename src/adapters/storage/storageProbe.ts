import type { BlobStore } from './BlobStore.js';

/** The one key the probe writes and deletes again; never a blob path (those are `xx/xxxx/<hex>`). */
export const STORAGE_PROBE_KEY = 'storage-probe/writable';

/**
 * Resolves when the store accepts a write and a delete: an unwritable STORAGE_DIR or an unreachable (or read-only)
 * S3 bucket rejects here, at start and in /readyz, instead of at the first upload. Goes through the store's own
 * put and delete, so both backends are checked the way they are used.
 */
export async function probeStorageWritable(blobs: BlobStore): Promise<void> {
  await blobs.put(STORAGE_PROBE_KEY, Buffer.alloc(0));
  await blobs.delete(STORAGE_PROBE_KEY);
}
