import { forgetReleaseBundleUploads } from '../adapters/db/releaseBundleUploads.js';
import { lockReleaseForFileWrites } from '../adapters/db/releaseFiles.js';
import { deleteFiles, type FileStoreDeps } from '../adapters/files/index.js';
import { FILE_TYPES } from '../domain/releaseFileIdent.js';
import { removeArtifactIndexEntry } from './artifactIndexStore.js';
import { existingDistCandidates } from './readReleaseFile.js';
import { parseReleaseFileId } from './releaseFileId.js';

/**
 * Deletes one artifact of a release by its API id; false when the id names nothing. A single release file goes with
 * its file row in one transaction (the blobs are left to the GC pass). An index entry is dropped from its index
 * copy-on-write under the index row lock the assemble worker takes; the archive stays (reference 4.6). Either way the
 * release's artifact count (the sum over its release files) follows: one row fewer, or an index one URL shorter.
 * A deletion also forgets the release's stored uploads, so re-uploading the same bundle stores the file again.
 */
export async function deleteReleaseFile(deps: FileStoreDeps, releaseId: string, id: string): Promise<boolean> {
  const ref = parseReleaseFileId(id);
  if (!ref) return false;
  if (ref.kind === 'file') return deleteSingleReleaseFile(deps, releaseId, ref.releaseFileId);
  for (const address of await existingDistCandidates(deps, releaseId, ref.candidates)) {
    if (await removeArtifactIndexEntry(deps, releaseId, address.dist, address.url)) return true;
  }
  return false;
}

async function deleteSingleReleaseFile(deps: FileStoreDeps, releaseId: string, releaseFileId: string): Promise<boolean> {
  return deps.db.transaction().execute(async (tx) => {
    // the lock single-file writers hold: none of them can repoint this row (and delete its file) under us
    await lockReleaseForFileWrites(tx, releaseId);
    const row = await tx
      .selectFrom('release_file as rf')
      .innerJoin('file as f', 'f.id', 'rf.file_id')
      .select('rf.file_id')
      .where('rf.id', '=', releaseFileId)
      .where('rf.release_id', '=', releaseId)
      .where('f.type', '=', FILE_TYPES.releaseFile)
      .executeTakeFirst();
    if (!row) return false;
    await tx.deleteFrom('release_file').where('id', '=', releaseFileId).execute();
    await deleteFiles(tx, [row.file_id]);
    await forgetReleaseBundleUploads(tx, releaseId);
    return true;
  });
}
