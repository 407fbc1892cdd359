import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { AppError } from '../../domain/errors.js';
import { BlobReader, findOwnedBlobs, type FileStoreDeps } from '../../adapters/files/index.js';

export interface AssembleChunksInput {
  organizationId: string;
  /** the client's total SHA-1 over the concatenated chunks */
  checksum: string;
  /** chunk SHA-1s in file order; repeats allowed */
  chunks: readonly string[];
  maxFileSize: number;
  /** the name reported in the size-limit message */
  name: string;
  /** where the assembled bytes are written */
  targetPath: string;
}

export interface AssembledChunks {
  size: number;
  /** the chunk blobs in file order (repeats included), ready to become the bundle's file rows */
  blobs: Array<{ id: string; size: number }>;
}

/**
 * Concatenates a bundle's chunks, in the order the client listed them, into a temp file while hashing. Only blobs
 * the organisation owns count; the size limit counts repeated chunks each time (DESIGN.md section 5).
 */
export async function assembleChunks(deps: FileStoreDeps, input: AssembleChunksInput): Promise<AssembledChunks> {
  const owned = await findOwnedBlobs(deps.db, input.organizationId, [...new Set(input.chunks)]);
  const blobs = input.chunks.flatMap((checksum) => {
    const blob = owned.get(checksum);
    return blob ? [{ id: blob.id, size: blob.size }] : [];
  });
  const size = blobs.reduce((sum, b) => sum + b.size, 0);
  if (size > input.maxFileSize) {
    throw new AppError('file_too_large', `File ${input.name} exceeds maximum size (${size} > ${input.maxFileSize})`);
  }
  if (blobs.length !== input.chunks.length) {
    throw new AppError('chunks_missing', 'Not all chunks available for assembling');
  }
  const actual = await writeBlobsInOrder(deps, blobs, input.targetPath);
  if (actual !== input.checksum) throw new AppError('checksum_mismatch', 'Reported checksum mismatch');
  return { size, blobs };
}

/**
 * One chunk in memory at a time (at most the chunk size, 8 MiB), read into the same buffers for every chunk, so memory
 * stays flat for any bundle size. Each write finishes before the next read reuses the buffer it wrote from.
 */
async function writeBlobsInOrder(deps: FileStoreDeps, blobs: AssembledChunks['blobs'], path: string): Promise<string> {
  const hash = createHash('sha1');
  const reader = new BlobReader(deps);
  const out = await open(path, 'w');
  try {
    for (const blob of blobs) {
      const bytes = await reader.read(blob.id);
      hash.update(bytes);
      // Appends at the file position, looping until every byte is written.
      await out.writeFile(bytes);
    }
  } finally {
    await out.close();
  }
  return hash.digest('hex');
}
