import { AppError } from './errors.js';
import { invalidBundle, quoteManifestKey, type ManifestFile } from './manifest.js';

/**
 * Where one URL's content lives: member `filename` of the archive release file whose ident is `archive_ident`.
 * Manifest entry keys other than `url` (`type`, `headers`, extras) are carried along as-is.
 */
export interface ArtifactIndexEntry {
  archive_ident: string;
  date_created: string;
  filename: string;
  sha1: string;
  size: number;
  [extra: string]: unknown;
}

/** The per-(release, dist) artifact index: URL -> entry. */
export interface ArtifactIndexDocument {
  files: Record<string, ArtifactIndexEntry>;
}

/**
 * Index entries for the files of one archive, keyed by URL. When a manifest names one URL twice, the later entry
 * wins (a dictionary update, as in Sentry). The computed fields override same-named manifest extras.
 */
export function buildArtifactIndexEntries(
  files: Array<{ manifest: ManifestFile; sha1: string; size: number }>,
  archiveIdent: string,
  archiveTimestamp: Date,
): Record<string, ArtifactIndexEntry> {
  const dateCreated = formatIndexTimestamp(archiveTimestamp);
  const entries = new Map<string, ArtifactIndexEntry>();
  for (const { manifest, sha1, size } of files) {
    if (!manifest.url) throw invalidBundle(`manifest entry ${quoteManifestKey(manifest.key)} has no url`);
    entries.set(manifest.url, {
      ...manifest.extra,
      ...(manifest.type === null ? {} : { type: manifest.type }),
      ...(Object.keys(manifest.headers).length === 0 ? {} : { headers: { ...manifest.headers } }),
      archive_ident: archiveIdent,
      date_created: dateCreated,
      filename: manifest.key,
      sha1,
      size,
    });
  }
  // fromEntries (not assignment) so that a URL such as "__proto__" stays an ordinary key.
  return Object.fromEntries(entries);
}

/**
 * Last writer wins, per URL: new URLs are added and existing ones replaced wholesale, whatever their dates or
 * hashes. `changed` is false only when an existing index already holds exactly these entries, so the caller can skip
 * writing a new copy. The input document is not modified.
 */
export function mergeArtifactIndex(
  current: ArtifactIndexDocument | null,
  entries: Record<string, ArtifactIndexEntry>,
): { document: ArtifactIndexDocument; changed: boolean } {
  const files = new Map(Object.entries(current?.files ?? {}));
  let changed = current === null;
  for (const [url, entry] of Object.entries(entries)) {
    const previous = files.get(url);
    if (previous === undefined || !jsonEqual(previous, entry)) changed = true;
    files.set(url, entry);
  }
  return { document: { files: Object.fromEntries(files) }, changed };
}

/** Drops one URL from the index. The archive itself is left alone: its member simply becomes unreachable. */
export function removeFromArtifactIndex(
  current: ArtifactIndexDocument | null,
  url: string,
): { document: ArtifactIndexDocument; removed: boolean } {
  if (current === null) return { document: { files: {} }, removed: false };
  if (!Object.hasOwn(current.files, url)) return { document: current, removed: false };
  const files = Object.fromEntries(Object.entries(current.files).filter(([key]) => key !== url));
  return { document: { files }, removed: true };
}

/** How many URLs the index maps: the index release file's `artifact_count`. */
export function artifactIndexCount(document: ArtifactIndexDocument): number {
  return Object.keys(document.files).length;
}

/** Reads a stored index. We wrote it, so anything malformed is corruption (an internal error), not user input. */
export function parseArtifactIndex(bytes: Buffer): ArtifactIndexDocument {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw corruptIndex('it is not valid UTF-8 JSON', err);
  }
  if (!isObject(value)) throw corruptIndex('it is not a JSON object');
  const files = value['files'] ?? {};
  if (!isObject(files)) throw corruptIndex('"files" is not an object');
  for (const [url, entry] of Object.entries(files)) checkEntry(url, entry);
  return { files: Object.fromEntries(Object.entries(files as Record<string, ArtifactIndexEntry>)) };
}

export function serializeArtifactIndex(document: ArtifactIndexDocument): Buffer {
  return Buffer.from(JSON.stringify({ files: document.files }), 'utf8');
}

/**
 * Sentry's index dates: ISO-8601 UTC with microseconds and a trailing `Z` (`2021-06-11T09:13:01.317000Z`).
 * A `Date` only has milliseconds, so the last three digits are always zero.
 */
export function formatIndexTimestamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, -1)}000Z`;
}

const REQUIRED_FIELDS: ReadonlyArray<[keyof ArtifactIndexEntry, 'string' | 'number']> = [
  ['archive_ident', 'string'],
  ['date_created', 'string'],
  ['filename', 'string'],
  ['sha1', 'string'],
  ['size', 'number'],
];

function checkEntry(url: string, entry: unknown): void {
  if (!isObject(entry)) throw corruptIndex(`the entry for ${JSON.stringify(url)} is not an object`);
  for (const [field, type] of REQUIRED_FIELDS) {
    if (typeof entry[field as string] !== type) {
      throw corruptIndex(`the entry for ${JSON.stringify(url)} has no ${type} "${String(field)}"`);
    }
  }
}

function corruptIndex(reason: string, cause?: unknown): AppError {
  return new AppError('internal', `the artifact index is corrupt: ${reason}`, cause === undefined ? undefined : { cause });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON values (key order ignored). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
}
