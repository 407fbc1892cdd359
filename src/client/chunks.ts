import { createHash } from 'node:crypto';

export interface Chunk {
  sha1: string;
  bytes: Buffer;
}

/** A file cut into `chunkSize` pieces, each named by its SHA-1, and the whole file's SHA-1 (the assemble checksum). */
export function splitIntoChunks(file: Buffer, chunkSize: number): { checksum: string; chunks: Chunk[] } {
  const chunks: Chunk[] = [];
  for (let start = 0; start < file.length; start += chunkSize) {
    const bytes = file.subarray(start, start + chunkSize);
    chunks.push({ sha1: createHash('sha1').update(bytes).digest('hex'), bytes });
  }
  return { checksum: createHash('sha1').update(file).digest('hex'), chunks };
}
