import type { Tx } from '../adapters/db/connect.js';
import { findFileMeta } from '../adapters/db/files.js';
import { forgetReleaseBundleUploads } from '../adapters/db/releaseBundleUploads.js';
import { lockReleaseFileByIdent, repointReleaseFile, type ReleaseFileRecord } from '../adapters/db/releaseFiles.js';
import { createFileFromBlobs, deleteFiles, readFileBuffer, storeContent, type FileStoreDeps } from '../adapters/files/index.js';
import {
  artifactIndexCount,
  parseArtifactIndex,
  removeFromArtifactIndex,
  serializeArtifactIndex,
  type ArtifactIndexDocument,
} from '../domain/artifactIndex.js';
import { AppError } from '../domain/errors.js';
import { ARTIFACT_INDEX_FILENAME, FILE_TYPES, releaseFileIdent } from '../domain/releaseFileIdent.js';

/**
 * The artifact index's write side, shared by the assemble worker (merging a bundle's entries) and the release-file
 * API (deleting one entry), so both serialise on the same row lock and write the same copy-on-write way.
 */

/** Row-locks the (release, dist) index release file for the rest of the transaction; null when there is no index. */
export function lockArtifactIndex(tx: Tx, releaseId: string, distName: string | null): Promise<ReleaseFileRecord | null> {
  return lockReleaseFileByIdent(tx, releaseId, releaseFileIdent(ARTIFACT_INDEX_FILENAME, distName));
}

/**
 * Applies `edit` to the locked index `row`. When it changes something, the new document goes to a new file, the row
 * is repointed with the new URL count, and the old file row is deleted (its blobs are left to the GC pass).
 * Returns whether anything changed.
 */
export async function rewriteArtifactIndex(
  deps: FileStoreDeps,
  tx: Tx,
  row: ReleaseFileRecord,
  edit: (current: ArtifactIndexDocument) => { document: ArtifactIndexDocument; changed: boolean },
): Promise<boolean> {
  const meta = await findFileMeta(tx, row.fileId);
  if (meta?.type !== FILE_TYPES.artifactIndex) throw new AppError('internal', 'Unexpected file type for artifact index');
  const current = parseArtifactIndex(await readFileBuffer({ ...deps, db: tx }, row.fileId));
  const { document, changed } = edit(current);
  if (!changed) return false;
  const file = await writeArtifactIndexFile(deps, tx, document);
  await repointReleaseFile(tx, row.id, file.id, artifactIndexCount(document));
  await deleteFiles(tx, [row.fileId]);
  return true;
}

/** Copy-on-write: every update is a new file; blobs commit on their own, the file row inside the transaction. */
export async function writeArtifactIndexFile(deps: FileStoreDeps, tx: Tx, document: ArtifactIndexDocument) {
  const content = await storeContent(deps, serializeArtifactIndex(document));
  return createFileFromBlobs(
    tx,
    { name: ARTIFACT_INDEX_FILENAME, type: FILE_TYPES.artifactIndex, checksum: content.checksum },
    content.blobs,
  );
}

/**
 * Sentry's delete_from_artifact_index: drops `url` from the (release, dist) index under its row lock. False when
 * there is no index or no such URL (nothing is written then). The archive is left as it is: its member merely
 * becomes unreachable, and archives are never collected while the release lives (reference 4.5, 4.6).
 */
export async function removeArtifactIndexEntry(
  deps: FileStoreDeps,
  releaseId: string,
  distName: string | null,
  url: string,
): Promise<boolean> {
  return deps.db.transaction().execute(async (tx) => {
    const row = await lockArtifactIndex(tx, releaseId, distName);
    if (!row) return false;
    const removed = await rewriteArtifactIndex(deps, tx, row, (current) => {
      const { document, removed } = removeFromArtifactIndex(current, url);
      return { document, changed: removed };
    });
    if (removed) await forgetReleaseBundleUploads(tx, releaseId);
    return removed;
  });
}
