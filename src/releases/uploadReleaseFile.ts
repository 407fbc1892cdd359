import { insertReleaseFileIfAbsent, lockReleaseForFileWrites } from '../adapters/db/releaseFiles.js';
import { getOrCreateDistribution } from '../adapters/db/releases.js';
import type { FileStoreDeps, StoredContent } from '../adapters/files/index.js';
import { AppError } from '../domain/errors.js';
import { createSingleReleaseFile } from './createSingleReleaseFile.js';
import type { ReleaseArtifact } from './listReleaseArtifacts.js';
import { findReleaseArtifact } from './readReleaseFile.js';

/** Sentry's 409 detail for a (name, dist) the release already has. */
export const DUPLICATE_RELEASE_FILE = 'A file matching this name already exists for the given release';

export interface ReleaseFileUpload {
  /** the artifact's full name, e.g. `~/static/app.js` */
  name: string;
  dist: string | null;
  headers: Record<string, string>;
  /** the bytes, already stored as blobs (outside any transaction) */
  content: StoredContent;
}

/**
 * `POST releases/{version}/files/`: one single release file made of already-stored content. Unlike a bundle, an
 * upload never replaces: a (name, dist) the release already has is a `conflict`, as in Sentry, and the file row goes
 * with the rolled-back transaction (its blobs are left to the GC pass). It takes the per-release lock single-file
 * writers share, so it is serialised with the assemble worker and the release-file deletes.
 */
export async function uploadReleaseFile(
  deps: FileStoreDeps,
  release: { id: string; organizationId: string },
  upload: ReleaseFileUpload,
): Promise<ReleaseArtifact> {
  return deps.db.transaction().execute(async (tx) => {
    await lockReleaseForFileWrites(tx, release.id);
    // inside the transaction: a refused duplicate leaves no new dist behind
    const dist = upload.dist ? await getOrCreateDistribution(tx, { organizationId: release.organizationId, releaseId: release.id, name: upload.dist }) : null;
    const target = { organizationId: release.organizationId, releaseId: release.id, distId: dist?.id ?? null, distName: dist?.name ?? null };
    const row = await createSingleReleaseFile(tx, target, { url: upload.name, headers: upload.headers, content: upload.content });
    const inserted = await insertReleaseFileIfAbsent(tx, row);
    if (!inserted) throw new AppError('conflict', DUPLICATE_RELEASE_FILE);
    const artifact = await findReleaseArtifact({ ...deps, db: tx }, release.id, inserted.id);
    if (!artifact) throw new AppError('internal', `release file ${inserted.id} vanished inside its own transaction`);
    return artifact;
  });
}
