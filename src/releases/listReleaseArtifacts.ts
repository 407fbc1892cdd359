import { readFileBuffer, type FileStoreDeps } from '../adapters/files/index.js';
import { parseArtifactIndex, type ArtifactIndexEntry } from '../domain/artifactIndex.js';
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

export interface ListReleaseArtifactsOptions {
  /** one distribution only (null = no dist) */
  dist?: string | null;
  /** names containing any of these, case-insensitively (Sentry's `query`) */
  query?: string[];
  /** SHA-1s, any of (Sentry's `checksum`) */
  checksums?: string[];
}

/**
 * Every artifact of a release, by name then dist: single release files and the entries of each dist's artifact
 * index (archives themselves are storage, not artifacts), filtered as asked.
 */
export async function listReleaseArtifacts(
  deps: FileStoreDeps,
  releaseId: string,
  options: ListReleaseArtifactsOptions = {},
): Promise<ReleaseArtifact[]> {
  let query = deps.db
    .selectFrom('release_file as rf')
    .innerJoin('file as f', 'f.id', 'rf.file_id')
    .leftJoin('distribution as d', 'd.id', 'rf.dist_id')
    .select([...FILE_ARTIFACT_COLUMNS, 'f.type'])
    .where('rf.release_id', '=', releaseId)
    .where('f.type', 'in', [FILE_TYPES.releaseFile, FILE_TYPES.artifactIndex]);
  if (options.dist !== undefined) {
    query = options.dist === null ? query.where('rf.dist_id', 'is', null) : query.where('d.name', '=', options.dist);
  }
  const rows = await query.orderBy('rf.id').execute();
  const artifacts: ReleaseArtifact[] = [];
  for (const row of rows) {
    if (row.type === FILE_TYPES.releaseFile) artifacts.push(fileArtifact(row));
    else artifacts.push(...(await indexArtifacts(deps, row.file_id, row.dist)));
  }
  return artifacts
    .filter(artifactFilter(options))
    .sort((a, b) => a.name.localeCompare(b.name) || (a.dist ?? '').localeCompare(b.dist ?? ''));
}

function artifactFilter(options: ListReleaseArtifactsOptions): (artifact: ReleaseArtifact) => boolean {
  const needles = (options.query ?? []).map((q) => q.toLowerCase());
  const checksums = new Set((options.checksums ?? []).map((c) => c.toLowerCase()));
  return (artifact) =>
    (needles.length === 0 || needles.some((needle) => artifact.name.toLowerCase().includes(needle))) &&
    (checksums.size === 0 || checksums.has(artifact.sha1.toLowerCase()));
}

/** The columns of release_file (rf), file (f) and distribution (d) a single release file's artifact is made of. */
export const FILE_ARTIFACT_COLUMNS = ['rf.id', 'rf.name', 'rf.file_id', 'f.size', 'f.checksum', 'f.headers', 'f.timestamp', 'd.name as dist'] as const;

export function fileArtifact(row: {
  id: string;
  name: string;
  file_id: string;
  size: string | number | null;
  checksum: string | null;
  headers: Record<string, unknown>;
  timestamp: Date;
  dist: string | null;
}): ReleaseArtifact {
  return {
    id: row.id,
    name: row.name,
    dist: row.dist,
    size: Number(row.size ?? 0),
    sha1: row.checksum ?? '',
    headers: row.headers,
    dateCreated: row.timestamp,
    location: { kind: 'file', fileId: row.file_id },
  };
}

async function indexArtifacts(deps: FileStoreDeps, indexFileId: string, dist: string | null): Promise<ReleaseArtifact[]> {
  const index = parseArtifactIndex(await readFileBuffer(deps, indexFileId));
  return Object.entries(index.files).map(([url, entry]) => indexEntryArtifact(dist, url, entry));
}

export function indexEntryArtifact(dist: string | null, url: string, entry: ArtifactIndexEntry): ReleaseArtifact {
  return {
    id: encodeIndexEntryId(dist, url),
    name: url,
    dist,
    size: entry.size,
    sha1: entry.sha1,
    headers: isRecord(entry.headers) ? entry.headers : {},
    dateCreated: new Date(entry.date_created),
    location: { kind: 'archive', archiveIdent: entry.archive_ident, member: entry.filename },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
