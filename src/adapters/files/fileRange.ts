import { Readable } from 'node:stream';
import { AppError } from '../../domain/errors.js';
import { openBlobStream } from './blobRead.js';
import { loadBlobSpans, type BlobSpan } from './fileLayout.js';
import type { FileStoreDeps } from './types.js';

/**
 * Random access to one stored file: its size, and streams of byte ranges. The blob layout is read from the database
 * once, so a reader that asks for many ranges (a zip's directory, then a member) queries it once.
 */
export interface FileRangeReader {
  readonly fileId: string;
  readonly size: number;
  /** Bytes [start, end) of the file, clamped to its size; only the blobs overlapping the range are read. */
  stream(start: number, end?: number): Readable;
}

export async function openFileRangeReader(deps: FileStoreDeps, fileId: string): Promise<FileRangeReader> {
  const spans = await loadBlobSpans(deps, fileId);
  const last = spans.at(-1);
  const size = last ? last.offset + last.length : 0;
  return {
    fileId,
    size,
    stream(start, end = size) {
      checkRange(start, end);
      return Readable.from(rangeBytes(deps, spans, start, Math.min(end, size)), { objectMode: false });
    },
  };
}

/** A byte range [start, end) of a stored file, decompressing only the blobs that overlap it. */
export async function openFileRange(deps: FileStoreDeps, fileId: string, start: number, end: number): Promise<Readable> {
  checkRange(start, end);
  return (await openFileRangeReader(deps, fileId)).stream(start, end);
}

function checkRange(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new AppError('internal', `Invalid byte range [${start}, ${end})`);
  }
}

/**
 * Blobs are compressed as a whole, so a blob that overlaps the range is decompressed from its start; the bytes
 * before and after the range are dropped. Leaving the loop early (range done, or the consumer stopped) closes the
 * blob stream being read.
 */
async function* rangeBytes(deps: FileStoreDeps, spans: BlobSpan[], start: number, end: number): AsyncGenerator<Buffer> {
  for (const span of spans) {
    const spanEnd = span.offset + span.length;
    if (spanEnd <= start || span.offset >= end || span.length === 0) continue;
    const skip = Math.max(0, start - span.offset);
    const stop = Math.min(end, spanEnd) - span.offset;
    let position = 0;
    for await (const raw of await openBlobStream(deps, span)) {
      const chunk = raw as Buffer;
      const from = Math.max(0, skip - position);
      const to = Math.min(chunk.length, stop - position);
      if (to > from) yield chunk.subarray(from, to);
      position += chunk.length;
      if (position >= stop) break;
    }
    if (position < stop) {
      throw new AppError('internal', `A blob at offset ${span.offset} has ${position} bytes, expected ${span.length}`);
    }
  }
}
