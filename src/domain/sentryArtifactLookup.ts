import { normalizeDebugId } from './debugId.js';
import { releaseFileUrlCandidates } from './urlCandidates.js';

/**
 * Sentry's artifact-lookup wire format (`GET /api/0/projects/{org}/{project}/artifact-lookup/`, reference
 * sentry-consumers.md section 1), as Symbolicator decodes it: a tagged list of `bundle` and `file` elements, nothing
 * else. The richer answer of our own route lives in artifactLookup.ts. Nothing here does I/O.
 */

/** How an element was found (Symbolicator's `resolved_with`, kebab-case). */
export type SentryResolvedWith = 'debug-id' | 'index' | 'release' | 'release-old';

/** At most this many single release files are answered (Sentry's limit). */
export const MAX_SENTRY_LOOKUP_FILES = 10;
/** At most this many debug ids and URLs are read from one request; the rest are ignored. */
export const MAX_SENTRY_LOOKUP_KEYS = 200;

export interface SentryLookupQuery {
  debugIds: readonly string[];
  urls: readonly string[];
  release?: string | undefined;
  dist?: string | undefined;
}

export interface SentryLookupPlan {
  /** the UUID parts of the normalised debug ids, once each; ids that do not normalise match nothing */
  debugIds: string[];
  /** release and dist ('' = no dist); null without a release (a dist alone means nothing) */
  release: { name: string; dist: string } | null;
  /** the URLs as asked (substring match on single release files), only with a release */
  urls: string[];
  /** every URL's lookup candidates (exact, then `~/`), for the bundles' URL index */
  urlCandidates: string[];
}

/** What to look for. Never refuses: no parameters, or none that can match, is simply an empty answer. */
export function planSentryLookup(query: SentryLookupQuery): SentryLookupPlan {
  const debugIds = new Set<string>();
  for (const raw of query.debugIds.slice(0, MAX_SENTRY_LOOKUP_KEYS)) {
    const normalized = normalizeDebugId(raw);
    if (normalized !== null) debugIds.add(normalized.slice(0, 36));
  }
  const release = query.release ? { name: query.release, dist: query.dist ?? '' } : null;
  const urls = release ? [...new Set(query.urls.slice(0, MAX_SENTRY_LOOKUP_KEYS).filter((url) => url !== ''))] : [];
  return { debugIds: [...debugIds], release, urls, urlCandidates: [...new Set(urls.flatMap(releaseFileUrlCandidates))] };
}

/** The download id of an element, `artifact_bundle/<n>` or `release_file/<n>` (decimal database ids). */
export type SentryDownloadId = { kind: 'artifact_bundle'; id: string } | { kind: 'release_file'; id: string };

export function formatDownloadId(download: SentryDownloadId): string {
  return `${download.kind}/${download.id}`;
}

/** `artifact_bundle/<n>` or `release_file/<n>`; anything else is null (a 404: no such artifact). */
export function parseDownloadId(value: string): SentryDownloadId | null {
  const match = /^(artifact_bundle|release_file)\/([1-9][0-9]{0,18})$/.exec(value);
  if (!match) return null;
  return { kind: match[1] as SentryDownloadId['kind'], id: match[2]! };
}

/** One element of the answer before its `url` is built. */
export type SentryLookupEntry =
  | { type: 'bundle'; download: SentryDownloadId; resolvedWith: SentryResolvedWith }
  | { type: 'file'; download: SentryDownloadId; resolvedWith: 'release-old'; absPath: string; headers: Record<string, unknown> };

/** What the sources found, each list in the order its source prefers. */
export interface SentryLookupFindings {
  /** artifact bundles (ids) per source; a bundle found by several is answered once, under the first */
  bundlesByDebugId: string[];
  bundlesByUrl: string[];
  bundlesByRelease: string[];
  /** release archives (release_file ids of type release.bundle) of the release+dist */
  releaseArchives: string[];
  /** single release files of the release+dist whose name contains one of the URLs */
  releaseFiles: Array<{ id: string; name: string; headers: Record<string, unknown> }>;
}

/**
 * Sentry's selection: the artifact bundles when any matched; only when none did, the release's archives and up to
 * ten single files. Sorted stably by (kind, numeric id), as Sentry sorts.
 */
export function selectSentryLookup(found: SentryLookupFindings): SentryLookupEntry[] {
  const bundles = new Map<string, SentryResolvedWith>();
  const add = (ids: string[], resolvedWith: SentryResolvedWith) => {
    for (const id of ids) if (!bundles.has(id)) bundles.set(id, resolvedWith);
  };
  add(found.bundlesByDebugId, 'debug-id');
  add(found.bundlesByUrl, 'index');
  add(found.bundlesByRelease, 'release');
  const entries: SentryLookupEntry[] = [...bundles].map(([id, resolvedWith]) => ({
    type: 'bundle',
    download: { kind: 'artifact_bundle', id },
    resolvedWith,
  }));
  if (entries.length === 0) {
    for (const id of new Set(found.releaseArchives)) {
      entries.push({ type: 'bundle', download: { kind: 'release_file', id }, resolvedWith: 'release-old' });
    }
    const seen = new Set<string>();
    for (const file of found.releaseFiles) {
      if (seen.size >= MAX_SENTRY_LOOKUP_FILES || seen.has(file.id)) continue;
      seen.add(file.id);
      entries.push({ type: 'file', download: { kind: 'release_file', id: file.id }, resolvedWith: 'release-old', absPath: file.name, headers: file.headers });
    }
  }
  return entries.sort(compareEntries);
}

function compareEntries(a: SentryLookupEntry, b: SentryLookupEntry): number {
  if (a.download.kind !== b.download.kind) return a.download.kind < b.download.kind ? -1 : 1;
  const x = BigInt(a.download.id);
  const y = BigInt(b.download.id);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether a single release file's name answers one of the URLs: a case-insensitive substring, as Sentry matches. */
export function releaseFileNameMatches(name: string, urls: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return urls.some((url) => lower.includes(url.toLowerCase()));
}
