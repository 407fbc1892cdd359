import { createFileFromBlobs, deleteFiles, type FileStoreDeps } from '../../adapters/files/index.js';
import type { Tx } from '../../adapters/db/connect.js';
import { findFileMeta } from '../../adapters/db/files.js';
import { recordReleaseBundleUpload } from '../../adapters/db/releaseBundleUploads.js';
import { insertReleaseFileIfAbsent, lockReleaseFileByIdent, type ReleaseFileRecord } from '../../adapters/db/releaseFiles.js';
import {
  artifactIndexCount,
  buildArtifactIndexEntries,
  mergeArtifactIndex,
  type ArtifactIndexEntry,
} from '../../domain/artifactIndex.js';
import { AppError } from '../../domain/errors.js';
import { ARTIFACT_INDEX_FILENAME, FILE_TYPES, releaseFileIdent } from '../../domain/releaseFileIdent.js';
import { lockArtifactIndex, rewriteArtifactIndex, writeArtifactIndexFile } from '../../releases/artifactIndexStore.js';
import type { AssembleDeps } from './assembleReleaseBundle.js';
import type { BundleArchive } from './bundleArchive.js';

import type { ReleaseTarget } from './releaseTarget.js';

/** Entries hashed on this thread are hashed in parallel: inflating is CPU work in libuv's pool, reading is I/O. */
const HASH_CONCURRENCY = 8;

export interface AssembledBundle {
  checksum: string;
  blobs: Array<{ id: string; size: number }>;
}

/**
 * The archive path: the bundle itself becomes one release file (its file rows reference the uploaded chunk blobs,
 * so nothing is copied) and every manifest URL is merged into the release's artifact index for the dist. The archive
 * row and the index update commit in one transaction; the index row is locked FOR UPDATE, so concurrent bundles
 * serialise on it and none loses an entry (last writer wins per URL). The upload record (the assemble status's
 * Postgres fallback) commits with them, so a fallback to single files after a failed index update records only once.
 */
export async function storeReleaseArchive(
  deps: FileStoreDeps & Pick<AssembleDeps, 'entryHashThreads'>,
  archive: BundleArchive,
  target: ReleaseTarget,
  bundle: AssembledBundle,
): Promise<{ indexed: number }> {
  const { files } = archive.manifest;
  const digests = await archive.hashEntries(
    files.map((manifest) => manifest.key),
    HASH_CONCURRENCY,
    deps.entryHashThreads,
  );
  const hashed = files.map((manifest, i) => ({ manifest, ...digests[i]! }));
  return deps.db.transaction().execute(async (tx) => {
    const archiveFile = await ensureArchiveReleaseFile(tx, target, bundle);
    const entries = buildArtifactIndexEntries(hashed, archiveFile.ident, archiveFile.timestamp);
    await mergeIntoArtifactIndex(deps, tx, target, entries);
    await recordReleaseBundleUpload(tx, {
      organizationId: target.organizationId,
      releaseId: target.releaseId,
      checksum: bundle.checksum,
      fileCount: archive.manifest.files.length,
    });
    return { indexed: Object.keys(entries).length };
  });
}

/**
 * The archive's name derives from the bundle checksum rather than a random uuid, so a retried job (or an identical
 * re-upload) finds the row it already wrote instead of adding a second archive.
 */
async function ensureArchiveReleaseFile(tx: Tx, target: ReleaseTarget, bundle: AssembledBundle) {
  const name = `release-artifacts-${bundle.checksum}.zip`;
  const ident = releaseFileIdent(name, target.distName);
  let row = await lockReleaseFileByIdent(tx, target.releaseId, ident);
  if (!row) {
    const file = await createFileFromBlobs(tx, { name, type: FILE_TYPES.releaseBundle, checksum: bundle.checksum }, bundle.blobs);
    row = await insertReleaseFileIfAbsent(tx, newRow(target, name, ident, file.id, 0));
    if (!row) {
      await deleteFiles(tx, [file.id]);
      row = await mustLock(tx, target.releaseId, ident);
    }
  }
  const meta = await findFileMeta(tx, row.fileId);
  return { ident, timestamp: meta?.timestamp ?? new Date() };
}

async function mergeIntoArtifactIndex(
  deps: FileStoreDeps,
  tx: Tx,
  target: ReleaseTarget,
  entries: Record<string, ArtifactIndexEntry>,
): Promise<void> {
  const ident = releaseFileIdent(ARTIFACT_INDEX_FILENAME, target.distName);
  let row = await lockArtifactIndex(tx, target.releaseId, target.distName);
  if (!row) {
    const { document } = mergeArtifactIndex(null, entries);
    const file = await writeArtifactIndexFile(deps, tx, document);
    const count = artifactIndexCount(document);
    if (await insertReleaseFileIfAbsent(tx, newRow(target, ARTIFACT_INDEX_FILENAME, ident, file.id, count))) return;
    // Another bundle created the index first; its row is committed and now locked by us.
    await deleteFiles(tx, [file.id]);
    row = await mustLock(tx, target.releaseId, ident);
  }
  await rewriteArtifactIndex(deps, tx, row, (current) => mergeArtifactIndex(current, entries));
}

async function mustLock(tx: Tx, releaseId: string, ident: string): Promise<ReleaseFileRecord> {
  const row = await lockReleaseFileByIdent(tx, releaseId, ident);
  if (!row) throw new AppError('db_conflict', `release file ${ident} vanished while it was being updated`);
  return row;
}

function newRow(target: ReleaseTarget, name: string, ident: string, fileId: string, artifactCount: number) {
  return {
    organizationId: target.organizationId,
    releaseId: target.releaseId,
    fileId,
    ident,
    name,
    distId: target.distId,
    artifactCount,
  };
}
