import { openFileStream, openZipMember, readFileBuffer, type DownloadContent, type FileStoreDeps } from '../adapters/files/index.js';
import { parseArtifactIndex, type ArtifactIndexDocument } from '../domain/artifactIndex.js';
import { normalizeContentType } from '../domain/contentType.js';
import { AppError } from '../domain/errors.js';
import { ARTIFACT_INDEX_FILENAME, FILE_TYPES, releaseFileIdent } from '../domain/releaseFileIdent.js';
import { FILE_ARTIFACT_COLUMNS, fileArtifact, indexEntryArtifact, type ReleaseArtifact } from './listReleaseArtifacts.js';
import { parseReleaseFileId, type IndexEntryAddress } from './releaseFileId.js';

/**
 * One artifact of the release by its API id, or null. A decimal id names a single release file (archives and
 * indexes are storage, not artifacts, so their rows are not reachable); any other id an artifact index entry.
 */
export async function findReleaseArtifact(deps: FileStoreDeps, releaseId: string, id: string): Promise<ReleaseArtifact | null> {
  const ref = parseReleaseFileId(id);
  if (!ref) return null;
  if (ref.kind === 'file') return findSingleFileArtifact(deps, releaseId, ref.releaseFileId);
  for (const address of await existingDistCandidates(deps, releaseId, ref.candidates)) {
    const index = await readArtifactIndex(deps, releaseId, address.dist);
    const entry = index && Object.hasOwn(index.files, address.url) ? index.files[address.url] : undefined;
    if (entry) return indexEntryArtifact(address.dist, address.url, entry);
  }
  return null;
}

async function findSingleFileArtifact(deps: FileStoreDeps, releaseId: string, releaseFileId: string): Promise<ReleaseArtifact | null> {
  const row = await deps.db
    .selectFrom('release_file as rf')
    .innerJoin('file as f', 'f.id', 'rf.file_id')
    .leftJoin('distribution as d', 'd.id', 'rf.dist_id')
    .select(FILE_ARTIFACT_COLUMNS)
    .where('rf.id', '=', releaseFileId)
    .where('rf.release_id', '=', releaseId)
    .where('f.type', '=', FILE_TYPES.releaseFile)
    .executeTakeFirst();
  return row ? fileArtifact(row) : null;
}

/** Only splits whose dist exists can name an entry; this keeps an id full of underscores to one or two lookups. */
export async function existingDistCandidates(
  deps: FileStoreDeps,
  releaseId: string,
  candidates: IndexEntryAddress[],
): Promise<IndexEntryAddress[]> {
  const named = candidates.flatMap((c) => (c.dist === null ? [] : [c.dist]));
  const existing =
    named.length === 0
      ? new Set<string>()
      : new Set(
          (
            await deps.db.selectFrom('distribution').select('name').where('release_id', '=', releaseId).where('name', 'in', named).execute()
          ).map((d) => d.name),
        );
  return candidates.filter((c) => c.dist === null || existing.has(c.dist));
}

/** The (release, dist) artifact index as committed, read without locking; null when there is none. */
async function readArtifactIndex(deps: FileStoreDeps, releaseId: string, dist: string | null): Promise<ArtifactIndexDocument | null> {
  const row = await deps.db
    .selectFrom('release_file as rf')
    .innerJoin('file as f', 'f.id', 'rf.file_id')
    .select('rf.file_id')
    .where('rf.release_id', '=', releaseId)
    .where('rf.ident', '=', releaseFileIdent(ARTIFACT_INDEX_FILENAME, dist))
    .where('f.type', '=', FILE_TYPES.artifactIndex)
    .executeTakeFirst();
  return row ? parseArtifactIndex(await readFileBuffer(deps, row.file_id)) : null;
}

/** The artifact's bytes, decompressed: a single file's blobs, or its member of the archive that holds it. */
export async function openReleaseArtifact(deps: FileStoreDeps, releaseId: string, artifact: ReleaseArtifact): Promise<DownloadContent> {
  const filename = downloadFilename(artifact.name);
  const contentType = downloadContentType(artifact.headers, filename);
  if (artifact.location.kind === 'file') {
    return { stream: await openFileStream(deps, artifact.location.fileId), size: artifact.size, contentType, filename };
  }
  const archive = await deps.db
    .selectFrom('release_file')
    .select('file_id')
    .where('release_id', '=', releaseId)
    .where('ident', '=', artifact.location.archiveIdent)
    .executeTakeFirst();
  if (!archive) throw new AppError('internal', `The archive of ${JSON.stringify(artifact.name)} is missing`);
  const member = await openZipMember(deps, archive.file_id, artifact.location.member);
  return { stream: member.stream, size: member.size, contentType, filename };
}

function downloadFilename(name: string): string {
  const collapsed = name.split(/\s+/).filter((part) => part !== '').join(' ');
  return collapsed.slice(collapsed.lastIndexOf('/') + 1) || 'file';
}

/** The Content-Type header the artifact was uploaded with (any case), else a guess from the name. */
function downloadContentType(headers: Record<string, unknown>, filename: string): string {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'content-type');
  const given = key === undefined ? undefined : headers[key];
  // a header value that Node would refuse to send (control characters, non-ASCII) is not worth a failed download
  if (typeof given === 'string' && /^[\x20-\x7e]+$/.test(given.trim())) return given.trim();
  return normalizeContentType(null, filename);
}
