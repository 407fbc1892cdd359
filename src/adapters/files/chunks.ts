import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DEFAULT_CHUNK_SIZE } from '../../domain/blobPolicy.js';
import { storeBlob } from './blobs.js';
import { readPieces } from './streams.js';
import type { FileStoreDeps } from './types.js';

export interface StoredChunks {
  /** chunk SHA-1s in content order (repeats included) */
  chunks: string[];
  /** SHA-1 over the whole content */
  checksum: string;
  size: number;
}

/**
 * Chunk intake for producers (the same thing a chunk upload does): cuts the content into `chunkSize` pieces and
 * stores each as a blob the organisation owns. One chunk in memory at a time.
 */
export async function storeChunks(
  deps: FileStoreDeps,
  organizationId: string,
  source: Readable | Buffer,
  opts: { chunkSize?: number } = {},
): Promise<StoredChunks> {
  const hash = createHash('sha1');
  const chunks: string[] = [];
  let size = 0;
  for await (const piece of readPieces(source, opts.chunkSize ?? DEFAULT_CHUNK_SIZE)) {
    hash.update(piece);
    size += piece.length;
    chunks.push((await storeBlob(deps, piece, { organizationId })).checksum);
  }
  return { chunks, checksum: hash.digest('hex'), size };
}
