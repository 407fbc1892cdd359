import { readFileBuffer, type FileStoreDeps } from '../adapters/files/index.js';
import { parseArtifactIndex } from '../domain/artifactIndex.js';
import { FILE_TYPES } from '../domain/releaseFileIdent.js';

/** One file of a release as clients see it: a single release file, or an entry of an artifact index. */
export interface ReleaseArtifact {
  id: string;
  name: string;
  dist: string | null;
  size: number;
  sha1: string;
  headers: Record<string, unknown>;
  dateCreated: Date;
  /** where the bytes are: a release file's own file, or a member of an archive */
  location: { kind: 'file'; fileId: string } | { kind: 'archive'; archiveIdent: string; member: string };
}

/** Index entries are addressed by (dist, url): their id encodes both, as Sentry's release-file API does. */
export function encodeIndexEntryId(dist: string | null, url: string): string {
  return Buffer.from(`${dist ?? ''}_${url}`, 'utf8').toString('base64url');
}

/**
 * Every artifact of a release: single release files and the entries of each dist's artifact index (archives
 * themselves are storage, not artifacts). `dist` filters to one distribution when given (null = no dist).
 */
export async function listReleaseArtifacts(
  deps: FileStoreDeps,
  releaseId: string,
  options: { dist?: string | null } = {},
): Promise<ReleaseArtifact[]> {
  let query = deps.db
    .selectFrom('release_file as rf')
    .innerJoin('file as f', 'f.id', 'rf.file_id')
    .leftJoin('distribution as d', 'd.id', 'rf.dist_id')
    .select(['rf.id', 'rf.name', 'rf.file_id', 'f.type', 'f.size', 'f.checksum', 'f.headers', 'f.timestamp', 'd.name as dist'])
    .where('rf.release_id', '=', releaseId)
    .where('f.type', 'in', [FILE_TYPES.releaseFile, FILE_TYPES.artifactIndex]);
  if (options.dist !== undefined) {
    query = options.dist === null ? query.where('rf.dist_id', 'is', null) : query.where('d.name', '=', options.dist);
  }
  const rows = await query.orderBy('rf.id').execute();
  const artifacts: ReleaseArtifact[] = [];
  for (const row of rows) {
    if (row.type === FILE_TYPES.releaseFile) {
      artifacts.push({
        id: row.id,
        name: row.name,
        dist: row.dist,
        size: Number(row.size ?? 0),
        sha1: row.checksum ?? '',
        headers: row.headers,
        dateCreated: row.timestamp,
        location: { kind: 'file', fileId: row.file_id },
      });
    } else {
      artifacts.push(...(await indexArtifacts(deps, row.file_id, row.dist)));
    }
  }
  return artifacts.sort((a, b) => a.name.localeCompare(b.name) || (a.dist ?? '').localeCompare(b.dist ?? ''));
}

async function indexArtifacts(deps: FileStoreDeps, indexFileId: string, dist: string | null): Promise<ReleaseArtifact[]> {
  const index = parseArtifactIndex(await readFileBuffer(deps, indexFileId));
  return Object.entries(index.files).map(([url, entry]) => ({
    id: encodeIndexEntryId(dist, url),
    name: url,
    dist,
    size: entry.size,
    sha1: entry.sha1,
    headers: isRecord(entry.headers) ? entry.headers : {},
    dateCreated: new Date(entry.date_created),
    location: { kind: 'archive', archiveIdent: entry.archive_ident, member: entry.filename },
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
