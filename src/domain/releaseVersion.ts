/**
 * Release version parsing with the rules of Sentry's release parser (the Rust `sentry-release-parser`, which is what
 * Sentry's Python side uses), re-implemented from its documented behaviour. The output keeps the parser's JSON keys,
 * since the release serializer maps them to `versionInfo`.
 */

export interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
  revision: number;
  pre: string | null;
  build_code: string | null;
  /** The version before `+build_code`. */
  raw_short: string;
  components: 1 | 2 | 3 | 4;
  /** The numeric components as written (leading zeros kept); absent ones are null. */
  raw_quad: [string, string | null, string | null, string | null];
}

export interface VersionInfo {
  package: string | null;
  version_raw: string;
  version_parsed: ParsedVersion | null;
  build_hash: string | null;
  description: string;
}

export type ReleaseNameProblem = 'too_long' | 'restricted_name' | 'bad_characters';

const MAX_RELEASE_BYTES = 200;
// Backslash, slash, C0 control characters (CR, LF, TAB, ...) and DEL.
const BAD_PARSER_CHARACTERS = /[\\/\u0000-\u001f\u007f]/;

/** Why the parser refuses a (trimmed) release name, or null when it accepts it. */
export function releaseNameProblem(release: string): ReleaseNameProblem | null {
  if (new TextEncoder().encode(release).length > MAX_RELEASE_BYTES) return 'too_long';
  if (release === '.' || release === '..' || release.toLowerCase() === 'latest') return 'restricted_name';
  if (BAD_PARSER_CHARACTERS.test(release)) return 'bad_characters';
  return null;
}

// Sentry's BAD_RELEASE_CHARS: CR, LF, form feed, TAB, slash, backslash.
const BAD_RELEASE_CHARACTERS = /[\r\n\f\t/\\]/;

/**
 * Sentry's `Release.is_valid_version`: the check applied to versions given to the API. No length limit here (the
 * column limit applies elsewhere); untrimmed bad characters count too.
 */
export function isValidReleaseVersion(version: string): boolean {
  if (BAD_RELEASE_CHARACTERS.test(version)) return false;
  const trimmed = version.trim();
  return trimmed !== '' && trimmed !== '.' && trimmed !== '..' && trimmed.toLowerCase() !== 'latest';
}

/** `package@version`: the package is everything before the first `@` that is not a leading one. */
const RELEASE_PATTERN = /^(@?[^@]+)@(.+?)$/;

// A prerelease identifier: 0, a number without leading zeros, or alphanumerics with at least one letter or hyphen.
const PRE_IDENTIFIER = '(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)';
const VERSION_PATTERN = new RegExp(
  '^([0-9]+)(?:\\.([0-9]+)(?:\\.([0-9]+)(?:\\.([0-9]+))?)?)?' +
    `((?:-|[a-z])${PRE_IDENTIFIER}?(?:\\.${PRE_IDENTIFIER})*)?` +
    '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$',
);

const BUILD_HASH_LENGTHS = new Set([12, 16, 20, 32, 40, 64]);

function isBuildHash(text: string): boolean {
  return BUILD_HASH_LENGTHS.has(text.length) && /^[0-9a-fA-F]+$/.test(text);
}

/** Parses a release name; null when the parser refuses the name itself (Sentry then shows `versionInfo: null`). */
export function parseReleaseVersion(version: string): VersionInfo | null {
  const release = version.trim();
  if (releaseNameProblem(release) !== null) return null;

  const split = RELEASE_PATTERN.exec(release);
  const pkg = split?.[1] ?? null;
  const versionRaw = split?.[2] ?? release;
  // Without a package the whole name is never parsed as a version, only recognised as a hash.
  const parsed = split && !isBuildHash(versionRaw) ? parseVersion(versionRaw) : null;
  const buildHash = buildHashOf(parsed, versionRaw);
  return {
    package: pkg,
    version_raw: versionRaw,
    version_parsed: parsed,
    build_hash: buildHash,
    description: describe(pkg, versionRaw, parsed, buildHash),
  };
}

function parseVersion(raw: string): ParsedVersion | null {
  const match = VERSION_PATTERN.exec(raw);
  if (!match) return null;
  const [, major = '', minor, patch, revision, prerelease, buildCode] = match;
  const components = (1 + [minor, patch, revision].filter((c) => c !== undefined).length) as 1 | 2 | 3 | 4;
  // A lone number followed by letters is more likely a hash or a word than a version ("6f85d2f"): only an explicit
  // "-" introduces a prerelease after a single component.
  if (components === 1 && prerelease !== undefined && !prerelease.startsWith('-')) return null;
  const pre = prerelease?.startsWith('-') ? prerelease.slice(1) : (prerelease ?? '');
  return {
    major: u64(major),
    minor: u64(minor),
    patch: u64(patch),
    revision: u64(revision),
    pre: pre === '' ? null : pre,
    build_code: buildCode ?? null,
    raw_short: raw.split('+', 1)[0] ?? raw,
    components,
    raw_quad: [major, minor ?? null, patch ?? null, revision ?? null],
  };
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * A component as the parser reads it: a u64, where a value past u64 reads as 0. Values past 2^53 lose precision as a
 * JavaScript number; `releaseSemverColumns` keeps them exact.
 */
function u64(digits: string | undefined): number {
  return Number(exactU64(digits));
}

function exactU64(digits: string | undefined): bigint {
  if (digits === undefined || digits === '') return 0n;
  const value = BigInt(digits);
  return value > U64_MAX ? 0n : value;
}

function buildHashOf(parsed: ParsedVersion | null, versionRaw: string): string | null {
  if (parsed?.build_code && isBuildHash(parsed.build_code)) return parsed.build_code;
  return isBuildHash(versionRaw) ? versionRaw : null;
}

function describe(pkg: string | null, versionRaw: string, parsed: ParsedVersion | null, buildHash: string | null): string {
  const shortHash = buildHash?.slice(0, 12) ?? null;
  if (parsed) {
    const suffix = shortHash ?? parsed.build_code;
    return suffix === null ? parsed.raw_short : `${parsed.raw_short} (${suffix})`;
  }
  if (shortHash !== null) return shortHash;
  return pkg === null ? versionRaw : `${pkg}@${versionRaw}`;
}

/** The denormalized semver columns of a release row; bigint columns as decimal strings. */
export interface ReleaseSemverColumns {
  package: string | null;
  major: string;
  minor: string;
  patch: string;
  revision: string;
  prerelease: string;
  build_code: string | null;
  build_number: string | null;
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/**
 * What Sentry stores in a release's semver columns on create: only when the version parses and every component fits
 * a signed 64-bit column; `build_number` is the build code when it is an integer that fits.
 */
export function releaseSemverColumns(version: string): ReleaseSemverColumns | null {
  const info = parseReleaseVersion(version);
  const parsed = info?.version_parsed;
  if (!info || !parsed) return null;
  const quad = parsed.raw_quad.map((digits) => exactU64(digits ?? undefined));
  if (quad.some((value) => value > I64_MAX)) return null;
  const [major, minor, patch, revision] = quad.map(String) as [string, string, string, string];
  return {
    package: info.package,
    major,
    minor,
    patch,
    revision,
    prerelease: parsed.pre ?? '',
    build_code: parsed.build_code,
    build_number: buildNumber(parsed.build_code),
  };
}

function buildNumber(buildCode: string | null): string | null {
  if (buildCode === null || !/^-?[0-9]+$/.test(buildCode)) return null;
  const value = BigInt(buildCode);
  return value < I64_MIN || value > I64_MAX ? null : String(value);
}
