import { deleteFiles, storeContent, type FileStoreDeps, type StoredContent } from '../../adapters/files/index.js';
import {
  findReleaseFilesByIdents,
  lockReleaseForFileWrites,
  upsertReleaseFiles,
  type NewReleaseFile,
} from '../../adapters/db/releaseFiles.js';
import { recordReleaseBundleUpload } from '../../adapters/db/releaseBundleUploads.js';
import type { ManifestFile } from '../../domain/manifest.js';
import { createSingleReleaseFile } from '../../releases/createSingleReleaseFile.js';
import type { BundleArchive } from './bundleArchive.js';
import type { ReleaseTarget } from './releaseTarget.js';

interface PreparedFile {
  url: string;
  manifest: ManifestFile;
  content: StoredContent;
}

/**
 * The single-file path: each manifest entry becomes its own release file. Content is stored as blobs first (outside
 * any transaction); then every release file of the bundle is written in one transaction, all or none, replacing
 * earlier files of the same name, whose file rows are deleted there too (their blobs are left to the GC pass). The
 * upload record (the assemble status's Postgres fallback) commits in that transaction too: it exists iff the files do.
 */
export async function storeSingleReleaseFiles(
  deps: FileStoreDeps,
  archive: BundleArchive,
  target: ReleaseTarget,
  bundleChecksum: string,
): Promise<{ stored: number }> {
  const prepared = await prepareFiles(deps, archive);
  await deps.db.transaction().execute(async (tx) => {
    await lockReleaseForFileWrites(tx, target.releaseId);
    const rows: NewReleaseFile[] = [];
    for (const file of prepared) {
      rows.push(await createSingleReleaseFile(tx, target, { url: file.url, headers: file.manifest.headers, content: file.content }));
    }
    const unique = lastPerIdent(rows);
    const replaced = await findReleaseFilesByIdents(tx, target.releaseId, unique.map((r) => r.ident));
    await upsertReleaseFiles(tx, unique);
    const superseded = rows.filter((r) => !unique.includes(r)).map((r) => r.fileId);
    await deleteFiles(tx, [...replaced.map((r) => r.fileId), ...superseded]);
    await recordReleaseBundleUpload(tx, {
      organizationId: target.organizationId,
      releaseId: target.releaseId,
      checksum: bundleChecksum,
      fileCount: archive.manifest.files.length,
    });
  });
  return { stored: prepared.length };
}

async function prepareFiles(deps: FileStoreDeps, archive: BundleArchive): Promise<PreparedFile[]> {
  const prepared: PreparedFile[] = [];
  for (const manifest of archive.manifest.files) {
    const content = await storeContent(deps, archive.openEntryStream(manifest.key));
    prepared.push({ url: manifest.url ?? manifest.key, manifest, content });
  }
  return prepared;
}

/** A manifest may name one URL twice; as in Sentry, the later entry wins. */
function lastPerIdent(rows: NewReleaseFile[]): NewReleaseFile[] {
  const byIdent = new Map<string, NewReleaseFile>();
  for (const row of rows) byIdent.set(row.ident, row);
  return [...byIdent.values()];
}
