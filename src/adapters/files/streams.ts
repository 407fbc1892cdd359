import type { Readable } from 'node:stream';
import { AppError } from '../../domain/errors.js';

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk));
}

export interface ReadPiecesOptions {
  /**
   * Build every piece that spans several incoming chunks in one buffer, reused for the next piece: the consumer must
   * be done with a piece before it asks for the next one. Spares a new piece-sized buffer per piece, memory that V8
   * only gives back at its next full GC.
   */
  reuseBuffer?: boolean;
}

/**
 * Cuts a stream (or buffer) into pieces of exactly `size` bytes, the last one shorter. Holds at most one piece
 * plus one incoming chunk in memory; a buffer source, and a piece that lies within one incoming chunk, are sliced
 * without copying.
 */
export async function* readPieces(source: Readable | Buffer, size: number, opts: ReadPiecesOptions = {}): AsyncGenerator<Buffer> {
  if (!Number.isSafeInteger(size) || size <= 0) throw new AppError('internal', `Invalid piece size ${size}`);
  if (Buffer.isBuffer(source)) {
    for (let offset = 0; offset < source.length; offset += size) yield source.subarray(offset, offset + size);
    return;
  }
  let scratch: Buffer | undefined;
  let piece: Buffer | undefined;
  let filled = 0;
  for await (const raw of source) {
    let chunk = toBuffer(raw);
    while (chunk.length > 0) {
      if (filled === 0 && chunk.length >= size) {
        yield chunk.subarray(0, size);
        chunk = chunk.subarray(size);
        continue;
      }
      piece ??= opts.reuseBuffer ? (scratch ??= Buffer.allocUnsafeSlow(size)) : Buffer.allocUnsafe(size);
      const copied = chunk.copy(piece, filled);
      filled += copied;
      chunk = chunk.subarray(copied);
      if (filled === size) {
        yield piece;
        piece = undefined;
        filled = 0;
      }
    }
  }
  if (piece !== undefined && filled > 0) yield piece.subarray(0, filled);
}

/** Reads a whole stream into memory; with `maxBytes`, fails with `file_too_large` once it grows past that. */
export async function collectStream(stream: Readable, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const raw of stream) {
    const chunk = toBuffer(raw);
    total += chunk.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new AppError('file_too_large', `Content exceeds ${maxBytes} bytes`);
    }
    parts.push(chunk);
  }
  // A single chunk (a whole blob read at once) is ours already; concatenating would only copy it.
  if (parts.length === 1) return parts[0]!;
  return Buffer.concat(parts, total);
}
