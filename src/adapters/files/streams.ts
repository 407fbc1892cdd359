import type { Readable } from 'node:stream';
import { AppError } from '../../domain/errors.js';

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk));
}

/**
 * Cuts a stream (or buffer) into pieces of exactly `size` bytes, the last one shorter. Holds at most one piece
 * plus one incoming chunk in memory; a buffer source is sliced without copying.
 */
export async function* readPieces(source: Readable | Buffer, size: number): AsyncGenerator<Buffer> {
  if (!Number.isSafeInteger(size) || size <= 0) throw new AppError('internal', `Invalid piece size ${size}`);
  if (Buffer.isBuffer(source)) {
    for (let offset = 0; offset < source.length; offset += size) yield source.subarray(offset, offset + size);
    return;
  }
  let pending: Buffer[] = [];
  let pendingSize = 0;
  for await (const raw of source) {
    let chunk = toBuffer(raw);
    while (pendingSize + chunk.length >= size) {
      const take = size - pendingSize;
      pending.push(chunk.subarray(0, take));
      yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, size);
      chunk = chunk.subarray(take);
      pending = [];
      pendingSize = 0;
    }
    if (chunk.length > 0) {
      pending.push(chunk);
      pendingSize += chunk.length;
    }
  }
  if (pendingSize > 0) yield Buffer.concat(pending, pendingSize);
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
  return Buffer.concat(parts, total);
}
