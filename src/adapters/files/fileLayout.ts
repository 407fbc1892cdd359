import { AppError } from '../../domain/errors.js';
import { withDbErrors } from '../db/errors.js';
import type { BlobLocation, FileStoreDeps } from './types.js';

/** One blob of a file and the byte span it covers in the file's uncompressed content. */
export interface BlobSpan extends BlobLocation {
  offset: number;
  length: number;
}

/** What a reader is told about a file that is gone; internal ids stay in the details (logs), never in an answer. */
export const FILE_NOT_FOUND = 'The file does not exist (any more)';

/**
 * The file's blobs in offset order, read in one statement: the file row and its index rows come from the same
 * snapshot, so a file deleted meanwhile is either whole or `not_found`, never a file without blobs. (A reader that
 * found the file id through another row reads both in one `withReadSnapshot`.)
 */
export async function loadBlobSpans(deps: FileStoreDeps, fileId: string): Promise<BlobSpan[]> {
  const rows = await withDbErrors(() =>
    deps.db
      .selectFrom('file as f')
      .leftJoin('file_blob_index as i', 'i.file_id', 'f.id')
      .leftJoin('file_blob as b', 'b.id', 'i.blob_id')
      .select(['i.offset', 'b.path', 'b.inline_data', 'b.compression', 'b.size'])
      .where('f.id', '=', fileId)
      .orderBy('i.offset')
      .execute(),
  );
  if (rows.length === 0) throw new AppError('not_found', FILE_NOT_FOUND, { details: { fileId } });
  // a file without blobs (empty content) is one row of NULLs
  return rows.flatMap((row) =>
    row.offset === null
      ? []
      : [
          {
            path: row.path,
            inline_data: row.inline_data,
            compression: row.compression ?? 'none',
            size: row.size,
            offset: Number(row.offset),
            length: Number(row.size),
          },
        ],
  );
}
