import { Readable } from 'node:stream';
import { openBlobStream } from './blobRead.js';
import { loadBlobSpans } from './fileLayout.js';
import { collectStream } from './streams.js';
import type { FileStoreDeps } from './types.js';

/**
 * The file's bytes: its blobs in offset order, decompressed. Blobs are opened lazily, one at a time, as the reader
 * gets to them; destroying the returned stream closes the blob being read.
 */
export async function openFileStream(deps: FileStoreDeps, fileId: string): Promise<Readable> {
  const blobs = await loadBlobSpans(deps, fileId);
  async function* concatenated(): AsyncGenerator<Buffer> {
    for (const blob of blobs) yield* await openBlobStream(deps, blob);
  }
  return Readable.from(concatenated(), { objectMode: false });
}

/** A whole (small) file in memory, e.g. an artifact index; `maxBytes` guards against surprises. */
export async function readFileBuffer(deps: FileStoreDeps, fileId: string, opts: { maxBytes?: number } = {}): Promise<Buffer> {
  return collectStream(await openFileStream(deps, fileId), opts.maxBytes);
}
