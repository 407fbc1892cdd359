import { AppError } from './errors.js';

/** Sentry's `SourceFileType`: the artifact kinds a debug id can point at (stored as these numbers). */
export const SOURCE_FILE_TYPES = {
  source: 1,
  minified_source: 2,
  source_map: 3,
  indexed_ram_bundle: 4,
} as const;

export type SourceFileTypeName = keyof typeof SOURCE_FILE_TYPES;
export type SourceFileType = (typeof SOURCE_FILE_TYPES)[SourceFileTypeName];

/** The number for a manifest `type`; unknown types (typos like "soure", or none) have no debug-id row. */
export function sourceFileType(type: string | null | undefined): SourceFileType | null {
  if (typeof type !== 'string' || !Object.hasOwn(SOURCE_FILE_TYPES, type)) return null;
  return SOURCE_FILE_TYPES[type as SourceFileTypeName];
}

// A UUID, hyphenated or compact (32 hex), optionally followed by an appendix (the "age" of a debug id, up to 32
// bits in hex) either after a hyphen or glued on as in Breakpad ids. A 40-hex SHA-1 therefore reads as a UUID plus
// an appendix.
const HYPHENATED = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})(?:-([0-9a-f]{1,8}))?$/i;
const COMPACT = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})-?([0-9a-f]{1,8})?$/i;

/**
 * The canonical form of a debug id: lower-case hyphenated UUID, plus `-<appendix in hex>` when the appendix is not
 * zero. Anything that is not a debug id gives null (such headers are ignored, not refused).
 */
export function normalizeDebugId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const match = HYPHENATED.exec(text) ?? COMPACT.exec(text);
  if (!match) return null;
  const uuid = match.slice(1, 6).join('-').toLowerCase();
  const appendix = match[6] === undefined ? 0 : Number.parseInt(match[6], 16);
  return appendix === 0 ? uuid : `${uuid}-${appendix.toString(16)}`;
}

/** The UUID part of a normalized debug id (what a uuid column can hold). */
function uuidPart(debugId: string): string {
  return debugId.slice(0, 36);
}

/** A deterministic bundle id from content: the first 32 hex digits of the SHA-1, as a UUID. */
export function debugIdFromChecksum(sha1hex: string): string {
  const normalized = normalizeDebugId(sha1hex);
  if (normalized === null) throw new AppError('internal', `not a checksum: ${JSON.stringify(sha1hex.slice(0, 64))}`);
  return uuidPart(normalized);
}

/** An artifact bundle's id: the manifest's `debug_id` when it is one, else derived from the bundle checksum. */
export function artifactBundleId(manifestDebugId: string | null, bundleChecksum: string): string {
  const fromManifest = normalizeDebugId(manifestDebugId);
  return fromManifest === null ? debugIdFromChecksum(bundleChecksum) : uuidPart(fromManifest);
}
