import { AppError } from './errors.js';
import { findNulCharacter } from './nulCharacters.js';

/** One `files` entry of a bundle's `manifest.json`, keyed by its path inside the zip. */
export interface ManifestFile {
  key: string;
  url: string | null;
  type: string | null;
  /** As uploaded, names case-preserved (Sentry stores them verbatim on release files). */
  headers: Record<string, string>;
  /** Any other keys of the entry; the release path copies them into the artifact index. */
  extra: Record<string, unknown>;
}

export interface BundleManifest {
  org: string | null;
  release: string | null;
  /** `null` when absent or empty: any falsy dist means "no dist". */
  dist: string | null;
  project: string | null;
  debugId: string | null;
  /** In manifest order (JSON object order; integer-like keys come first, as JavaScript orders them). */
  files: ManifestFile[];
}

/** Sentry's message; clients match on this prefix, so every refusal keeps it and adds the reason. */
export const INVALID_BUNDLE_MESSAGE = 'the bundle is invalid';

export function invalidBundle(reason: string): AppError {
  return new AppError('bundle_invalid', `${INVALID_BUNDLE_MESSAGE}: ${reason}`);
}

const KNOWN_ENTRY_KEYS = new Set(['url', 'type', 'headers']);
const QUOTED_KEY_MAX = 200;

/** A manifest key for a message: JSON-quoted (control characters escaped) and shortened. */
export function quoteManifestKey(key: string): string {
  const short = key.length > QUOTED_KEY_MAX ? `${key.slice(0, QUOTED_KEY_MAX)}...` : key;
  return JSON.stringify(short);
}

/** Parses `manifest.json` bytes. Only the shape is checked here; keys are checked against the zip separately. */
export function parseBundleManifest(bytes: Buffer): BundleManifest {
  const root = parseJsonObject(bytes);
  rejectNulCharacters(root);
  return {
    org: optionalString(root, 'org'),
    release: optionalString(root, 'release'),
    dist: optionalString(root, 'dist') || null,
    project: optionalString(root, 'project'),
    debugId: optionalString(root, 'debug_id'),
    files: parseFiles(root['files']),
  };
}

function parseJsonObject(bytes: Buffer): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalidBundle('manifest.json is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidBundle('manifest.json is not valid JSON');
  }
  if (!isPlainObject(value)) throw invalidBundle('manifest.json must be a JSON object');
  return value;
}

/**
 * A NUL anywhere Postgres would store it (release, dist, urls, headers, extra fields) is a permanent `error` naming
 * the field, not a database failure retried five times. File keys are checked with the zip (validateManifestKeys).
 */
function rejectNulCharacters(root: Record<string, unknown>): void {
  const { files, ...rest } = root;
  const top = findNulCharacter(rest);
  if (top !== undefined) throw invalidBundle(`manifest ${quoteNulPath(top)} contains a NUL character`);
  if (!isPlainObject(files)) return;
  for (const [key, entry] of Object.entries(files)) {
    const inEntry = findNulCharacter(entry);
    if (inEntry === undefined) continue;
    const where = inEntry === '' ? '' : ` ${quoteNulPath(inEntry)}`;
    throw invalidBundle(`manifest entry ${quoteManifestKey(key)}${where} contains a NUL character`);
  }
}

/** A path from findNulCharacter for a message (a key holding the NUL is JSON-escaped there already). */
function quoteNulPath(path: string): string {
  return `"${path}"`;
}

function optionalString(root: Record<string, unknown>, name: string): string | null {
  const value = root[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalidBundle(`manifest "${name}" must be a string`);
  return value;
}

function parseFiles(files: unknown): ManifestFile[] {
  if (files === undefined || files === null) return [];
  if (!isPlainObject(files)) throw invalidBundle('manifest "files" must be an object');
  return Object.entries(files).map(([key, entry]) => parseFileEntry(key, entry));
}

function parseFileEntry(key: string, entry: unknown): ManifestFile {
  const name = `manifest entry ${quoteManifestKey(key)}`;
  if (!isPlainObject(entry)) throw invalidBundle(`${name} must be an object`);
  const url = entry['url'] ?? null;
  if (url !== null && typeof url !== 'string') throw invalidBundle(`${name} has a url that is not a string`);
  const type = entry['type'] ?? null;
  if (type !== null && typeof type !== 'string') throw invalidBundle(`${name} has a type that is not a string`);
  return {
    key,
    url,
    type,
    headers: parseHeaders(name, entry['headers']),
    extra: Object.fromEntries(Object.entries(entry).filter(([k]) => !KNOWN_ENTRY_KEYS.has(k))),
  };
}

function parseHeaders(name: string, headers: unknown): Record<string, string> {
  if (headers === undefined || headers === null) return {};
  if (!isPlainObject(headers)) throw invalidBundle(`${name} has headers that are not an object`);
  for (const [header, value] of Object.entries(headers)) {
    if (typeof value !== 'string') {
      throw invalidBundle(`${name} has a header ${JSON.stringify(header)} whose value is not a string`);
    }
  }
  // fromEntries defines own properties, so a header named "__proto__" stays a header.
  return Object.fromEntries(Object.entries(headers as Record<string, string>));
}

export type ZipEntryType = 'File' | 'Directory' | 'SymbolicLink';

/**
 * Every manifest key must name a regular file inside the zip by a plain relative path. Entries are always read from
 * the zip by key, never from disk, but a key that could escape a directory is refused anyway: it is never a
 * legitimate bundle and the path-based reading of older Sentry revisions was exploitable with it.
 */
export function validateManifestKeys(
  manifest: BundleManifest,
  zipEntries: ReadonlyMap<string, { type: ZipEntryType; declaredSize: number }>,
): void {
  for (const { key } of manifest.files) {
    checkKeyShape(key);
    const name = `manifest entry ${quoteManifestKey(key)}`;
    const entry = zipEntries.get(key);
    if (entry === undefined) throw invalidBundle(`${name} is missing from the zip`);
    if (entry.type === 'SymbolicLink') throw invalidBundle(`${name} is a symbolic link`);
    if (entry.type === 'Directory') throw invalidBundle(`${name} is a directory`);
  }
}

const WINDOWS_DRIVE = /^[A-Za-z]:/;

function checkKeyShape(key: string): void {
  const name = `manifest entry ${quoteManifestKey(key)}`;
  if (key === '') throw invalidBundle('manifest entry "" has an empty path');
  if (key.includes('\u0000')) throw invalidBundle(`${name} contains a NUL character`);
  if (key.startsWith('/') || key.startsWith('\\') || WINDOWS_DRIVE.test(key)) {
    throw invalidBundle(`${name} is an absolute path`);
  }
  if (key.split(/[/\\]/).includes('..')) throw invalidBundle(`${name} escapes the bundle ("..")`);
}

/** Release bundles index every file by URL, so each entry needs one (Sentry fails the archive without it). */
export function requireUrls(manifest: BundleManifest): void {
  for (const file of manifest.files) {
    if (!file.url) throw invalidBundle(`manifest entry ${quoteManifestKey(file.key)} has no url`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
