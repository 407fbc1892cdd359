import type { Tx } from '../adapters/db/connect.js';
import type { NewReleaseFile } from '../adapters/db/releaseFiles.js';
import { createFileFromBlobs, type StoredContent } from '../adapters/files/index.js';
import { FILE_TYPES, releaseFileBasename, releaseFileIdent } from '../domain/releaseFileIdent.js';

/** Where a single release file goes: the release, and its dist when it has one. */
export interface SingleReleaseFileTarget {
  organizationId: string;
  releaseId: string;
  distId: string | null;
  distName: string | null;
}

/**
 * The file row of one single release file, made of content already stored as blobs, and the release_file row that
 * is to point at it, exactly as the assemble worker's single-file path writes them (file named after the URL's last
 * segment, type `release.file`, ident from name and dist). The caller writes the row under the release's file-write
 * lock, choosing whether an existing name is replaced (a bundle) or refused (the HTTP upload).
 */
export async function createSingleReleaseFile(
  tx: Tx,
  target: SingleReleaseFileTarget,
  file: { url: string; headers: Record<string, string>; content: StoredContent },
): Promise<NewReleaseFile> {
  const stored = await createFileFromBlobs(
    tx,
    { name: releaseFileBasename(file.url), type: FILE_TYPES.releaseFile, headers: file.headers, checksum: file.content.checksum },
    file.content.blobs,
  );
  return {
    organizationId: target.organizationId,
    releaseId: target.releaseId,
    fileId: stored.id,
    ident: releaseFileIdent(file.url, target.distName),
    name: file.url,
    distId: target.distId,
    artifactCount: 1,
  };
}
