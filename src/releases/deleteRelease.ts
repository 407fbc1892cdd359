import { deleteReleaseWithFiles } from '../adapters/db/releaseQueries.js';
import { lockScopedRelease } from './findScopedRelease.js';
import type { ReleaseDeps, ReleaseScope } from './releaseDeps.js';

/**
 * Deletes a release with its release files and links (404 when there is none in scope). The files' blobs are
 * left to the garbage collector, which removes blobs no file references any more.
 */
export async function deleteRelease(deps: ReleaseDeps, scope: ReleaseScope, version: string): Promise<{ deletedFiles: number }> {
  return deps.db.transaction().execute(async (tx) => {
    const release = await lockScopedRelease(tx, scope, version);
    return { deletedFiles: await deleteReleaseWithFiles(tx, release.id) };
  });
}
