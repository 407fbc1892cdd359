import type { FileHandle } from 'node:fs/promises';
import { AppError } from '../../domain/errors.js';

/**
 * `FileHandle.write` may write less than asked; loop until every byte is down, from `position` on (null: the file's
 * own position, which each write moves on).
 */
export async function writeAll(handle: FileHandle, data: Buffer, position: number | null = null): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, position === null ? null : position + offset);
    offset += bytesWritten;
  }
}

/**
 * A blob file that ended before its size: it was replaced or cut short under us (objects are only ever renamed into
 * place), so that is an error, not a short read.
 */
export function blobFileEndedEarly(read: number, expected: number): AppError {
  return new AppError('internal', `Blob file ended after ${read} of ${expected} bytes`);
}
