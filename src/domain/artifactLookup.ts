import { normalizeDebugId } from './debugId.js';
import { AppError } from './errors.js';
import type { BundleManifest, ManifestFile } from './manifest.js';
import { releaseFileUrlCandidates } from './urlCandidates.js';

/**
 * The artifact-lookup decisions (cli protocol 3.5, pain point 9: "what does a release or debug id resolve to,
 * whatever the upload mode"): which candidate URLs to try, which sources in which order, and how to merge what they
 * found into one deduplicated, capped list. The use case does the reads; nothing here does I/O.
 */

/** At most this many matches are answered; the rest are dropped (and the answer says so). */
export const MAX_LOOKUP_RESULTS = 100;
/** Bundles read per source (debug id, release+url, release); each is one manifest read. */
export const MAX_LOOKUP_BUNDLES = 20;

/**
 * How a match was found, most specific first:
 * - `debug-id`: an artifact bundle holding a file with the debug id (and those files);
 * - `index`: an artifact bundle of the release+dist whose URL index holds one of the URL's candidates (and the file);
 * - `release`: an artifact bundle linked to the release+dist (no URL asked for);
 * - `release-old`: a release file of the release+dist, from an artifact index (archive) or a single release file.
 */
export type ResolvedWith = 'debug-id' | 'index' | 'release' | 'release-old';

export interface ArtifactLookupQuery {
  debugId?: string;
  url?: string;
  release?: string;
  dist?: string;
}

export interface ArtifactLookupPlan {
  /** the UUID part of the normalised debug id (what the debug-id index holds), or null */
  debugId: string | null;
  /** release and dist to look in ('' = no dist), or null */
  release: { name: string; dist: string } | null;
  /** the URL's lookup candidates in preference order (exact first, then `~/`), [] without a URL */
  urlCandidates: string[];
}

/**
 * What to look for. A debug id that does not normalise, a dist without a release, and a query that names neither a
 * debug id nor a release (nothing could ever match) are refused. A URL without a release is accepted but can only
 * narrow release sources, so it matches nothing by itself.
 */
export function planArtifactLookup(query: ArtifactLookupQuery): ArtifactLookupPlan {
  let debugId: string | null = null;
  if (query.debugId !== undefined) {
    const normalized = normalizeDebugId(query.debugId);
    if (normalized === null) throw new AppError('validation_failed', 'debug_id is not a valid debug id');
    debugId = normalized.slice(0, 36);
  }
  if (query.dist && !query.release) throw new AppError('validation_failed', 'dist needs a release');
  if (debugId === null && !query.release) throw new AppError('validation_failed', 'Provide a debug_id or a release');
  return {
    debugId,
    release: query.release ? { name: query.release, dist: query.dist ?? '' } : null,
    urlCandidates: query.url ? urlCandidates(query.url) : [],
  };
}

/** A stored artifact bundle as lookups report it. */
export interface BundleRef {
  artifactBundleId: string;
  bundleId: string;
  checksum: string;
  artifactCount: number;
  size: number | null;
  dateAdded: Date;
}

/** A release file (single, or an entry of an artifact index) as lookups report it. */
export interface ReleaseFileRef {
  /** the release-file API id (decimal for a single file, an encoded dist+url for an index entry) */
  id: string;
  name: string;
  dist: string | null;
  sha1: string;
  size: number;
  headers: Record<string, unknown>;
  storedAs: 'archive' | 'file';
}

export type LookupMatch =
  | { kind: 'bundle'; resolvedWith: ResolvedWith; bundle: BundleRef; release: LookupRelease | null }
  | {
      kind: 'bundle_member';
      resolvedWith: ResolvedWith;
      bundle: BundleRef;
      file: ManifestFile;
      /** the member's uncompressed size; null if the zip has no readable member of that path (assembly refuses those) */
      size: number | null;
      release: LookupRelease | null;
    }
  | { kind: 'release_file'; resolvedWith: 'release-old'; file: ReleaseFileRef; release: LookupRelease };

export interface LookupRelease {
  name: string;
  dist: string;
}

/**
 * What a bundle's zip says about its files without reading them: the manifest, and the uncompressed size of each
 * member it names, from the central directory (readable members only).
 */
export interface BundleListing {
  manifest: BundleManifest;
  memberSizes: ReadonlyMap<string, number>;
}

/** A bundle found by one source, with its listing (null when the source does not need the members). */
export interface FoundBundle {
  bundle: BundleRef;
  listing: BundleListing | null;
}

export interface LookupFindings {
  /** bundles holding the debug id, newest first */
  byDebugId: FoundBundle[];
  /** bundles of the release+dist whose URL index holds a candidate, newest first */
  byUrl: FoundBundle[];
  /** bundles of the release+dist (only looked up without a URL), newest first */
  byRelease: FoundBundle[];
  /** release files of the release+dist, in any order (ordered here) */
  releaseFiles: ReleaseFileRef[];
}

/**
 * One list in the order a consumer should prefer: artifact bundles by debug id, then by release+dist+URL (exact URL
 * before `~/`), then by release alone, then release files from artifact indexes, then single release files. Each
 * bundle comes before its matching members; whatever two sources both found is listed once, under the first.
 */
export function mergeLookupFindings(
  plan: ArtifactLookupPlan,
  found: LookupFindings,
  limit = MAX_LOOKUP_RESULTS,
): { matches: LookupMatch[]; truncated: boolean } {
  const out = new LookupList(limit);
  for (const { bundle, listing } of found.byDebugId) {
    out.add({ kind: 'bundle', resolvedWith: 'debug-id', bundle, release: null });
    if (!listing || !plan.debugId) continue;
    for (const file of membersWithDebugId(listing.manifest, plan.debugId)) out.add(bundleMember('debug-id', bundle, listing, file, null));
  }
  for (const { bundle, listing } of found.byUrl) {
    out.add({ kind: 'bundle', resolvedWith: 'index', bundle, release: plan.release });
    if (!listing) continue;
    for (const file of membersWithUrl(listing.manifest, plan.urlCandidates)) out.add(bundleMember('index', bundle, listing, file, plan.release));
  }
  for (const { bundle } of found.byRelease) out.add({ kind: 'bundle', resolvedWith: 'release', bundle, release: plan.release });
  if (plan.release) {
    for (const file of orderReleaseFiles(found.releaseFiles, plan.urlCandidates)) {
      out.add({ kind: 'release_file', resolvedWith: 'release-old', file, release: plan.release });
    }
  }
  return { matches: out.matches, truncated: out.truncated };
}

function bundleMember(
  resolvedWith: ResolvedWith,
  bundle: BundleRef,
  listing: BundleListing,
  file: ManifestFile,
  release: LookupRelease | null,
): LookupMatch {
  return { kind: 'bundle_member', resolvedWith, bundle, file, size: listing.memberSizes.get(file.key) ?? null, release };
}

/** Members whose `debug-id` header (any case) is this debug id, in manifest order. */
export function membersWithDebugId(manifest: BundleManifest, debugId: string): ManifestFile[] {
  return manifest.files.filter((file) => {
    const header = Object.entries(file.headers).find(([name]) => name.toLowerCase() === 'debug-id');
    return normalizeDebugId(header?.[1])?.slice(0, 36) === debugId;
  });
}

/**
 * Members whose `url` is one of the candidates, best candidate first. When several entries share a URL the later one
 * wins, as it does in the bundle's URL map (reference 2.2).
 */
export function membersWithUrl(manifest: BundleManifest, candidates: readonly string[]): ManifestFile[] {
  const byUrl = new Map<string, ManifestFile>();
  for (const file of manifest.files) if (file.url !== null) byUrl.set(file.url, file);
  return candidates.flatMap((url) => {
    const file = byUrl.get(url);
    return file ? [file] : [];
  });
}

/**
 * Archive entries before single files (the index is where current release uploads land); with a URL, best candidate
 * first and names that are no candidate dropped; without one, by name.
 */
export function orderReleaseFiles(files: readonly ReleaseFileRef[], candidates: readonly string[]): ReleaseFileRef[] {
  const rank = (file: ReleaseFileRef) => (candidates.length === 0 ? 0 : candidates.indexOf(file.name));
  return files
    .filter((file) => rank(file) !== -1)
    .sort((a, b) => storageRank(a) - storageRank(b) || rank(a) - rank(b) || compareText(a.name, b.name));
}

function storageRank(file: ReleaseFileRef): number {
  return file.storedAs === 'archive' ? 0 : 1;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The identity of a match, for deduplication across sources. */
export function lookupMatchKey(match: LookupMatch): string {
  switch (match.kind) {
    case 'bundle':
      return JSON.stringify(['bundle', match.bundle.artifactBundleId]);
    case 'bundle_member':
      return JSON.stringify(['bundle_member', match.bundle.artifactBundleId, match.file.key]);
    case 'release_file':
      return JSON.stringify(['release_file', match.file.storedAs, match.file.id]);
  }
}

class LookupList {
  readonly matches: LookupMatch[] = [];
  truncated = false;
  private readonly seen = new Set<string>();

  constructor(private readonly limit: number) {}

  add(match: LookupMatch): void {
    const key = lookupMatchKey(match);
    if (this.seen.has(key)) return;
    if (this.matches.length >= this.limit) {
      this.truncated = true;
      return;
    }
    this.seen.add(key);
    this.matches.push(match);
  }
}

/**
 * Sentry's candidates, once each. A URL already given in the `~/` form ("any origin", as names are often typed) is
 * its own origin-free candidate: prefixing it again (`~~/a.js`) could never name a stored file.
 */
function urlCandidates(url: string): string[] {
  const candidates = releaseFileUrlCandidates(url);
  return [...new Set(url.startsWith('~') ? candidates.filter((c) => !c.startsWith('~~')) : candidates)];
}
