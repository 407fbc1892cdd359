import { forgetReleaseBundleUploads } from '../adapters/db/releaseBundleUploads.js';
import { lockReleaseForFileWrites } from '../adapters/db/releaseFiles.js';
import { deleteFiles, type FileStoreDeps } from '../adapters/files/index.js';

/**
 * Deletes every release file of a release, whatever it holds: single files, archives and artifact indexes, with their
 * file rows (the blobs are left to the GC pass) and the release's upload records, in one transaction. Returns how
 * many release files went.
 * The per-release lock keeps single-file writers out; an assemble job holding an archive or index row lock makes the
 * delete wait for its commit, and then the delete removes what that job wrote as well.
 */
export async function deleteAllReleaseFiles(deps: FileStoreDeps, releaseId: string): Promise<number> {
  return deps.db.transaction().execute(async (tx) => {
    await lockReleaseForFileWrites(tx, releaseId);
    const deleted = await tx.deleteFrom('release_file').where('release_id', '=', releaseId).returning('file_id').execute();
    await deleteFiles(tx, deleted.map((row) => row.file_id));
    await forgetReleaseBundleUploads(tx, releaseId);
    return deleted.length;
  });
}
