import { artifactBundleId, normalizeDebugId, sourceFileType, type SourceFileType } from './debugId.js';
import { AppError } from './errors.js';
import { invalidBundle, type BundleManifest } from './manifest.js';

/** Sentry's detail for a bundle that nothing could ever find (reference 1.10 step 4, 7.1). */
export const NO_DEBUG_IDS_OR_RELEASE_MESSAGE = 'uploading a bundle without debug ids or release is prohibited';

/** Column limits of release_artifact_bundle (Sentry's DB_VERSION_LENGTH and dist name length). */
export const MAX_RELEASE_NAME_LENGTH = 250;
export const MAX_DIST_NAME_LENGTH = 64;

/** What one assemble request asks for, besides the bundle itself. */
export interface LinkRequest {
  version?: string | null;
  dist?: string | null;
  projectIds: readonly string[];
}

/** The links one request resolves to: a release (with dist, '' for none) when there is one, and the projects. */
export interface BundleLinks {
  release: { name: string; dist: string } | null;
  projectIds: string[];
}

export interface DebugIdLink {
  /** the UUID part of the normalised debug id (what a uuid column holds) */
  debugId: string;
  sourceFileType: SourceFileType;
}

/** Everything the worker stores for a bundle, decided from its manifest and checksum alone. */
export interface ArtifactBundlePlan {
  bundleId: string;
  artifactCount: number;
  manifestRelease: string | null;
  manifestDist: string | null;
  debugIds: DebugIdLink[];
  urls: string[];
}

/**
 * Reads a manifest into the bundle's stored facts. A file has a debug id when its `debug-id` header (any case)
 * normalises and its `type` is a known source file type; the same (debug id, type) pair counts once. URLs are the
 * manifest `url`s, once each; entries without one are not indexed.
 */
export function planArtifactBundle(manifest: BundleManifest, checksum: string): ArtifactBundlePlan {
  const manifestRelease = manifest.release || null;
  const manifestDist = manifest.dist || null;
  checkLength('release', manifestRelease, MAX_RELEASE_NAME_LENGTH);
  checkLength('dist', manifestDist, MAX_DIST_NAME_LENGTH);
  return {
    bundleId: artifactBundleId(manifest.debugId, checksum),
    artifactCount: manifest.files.length,
    manifestRelease,
    manifestDist,
    debugIds: collectDebugIds(manifest),
    urls: [...new Set(manifest.files.flatMap((f) => (f.url ? [f.url] : [])))],
  };
}

function checkLength(field: string, value: string | null, max: number): void {
  if (value !== null && value.length > max) throw invalidBundle(`manifest "${field}" is longer than ${max} characters`);
}

export function collectDebugIds(manifest: BundleManifest): DebugIdLink[] {
  const seen = new Map<string, DebugIdLink>();
  for (const file of manifest.files) {
    const type = sourceFileType(file.type);
    const debugId = normalizeDebugId(headerValue(file.headers, 'debug-id'));
    if (type === null || debugId === null) continue;
    const uuid = debugId.slice(0, 36);
    seen.set(`${uuid}|${type}`, { debugId: uuid, sourceFileType: type });
  }
  return [...seen.values()];
}

/** Header names are matched case-insensitively, as Sentry lower-cases them for artifact bundles. */
function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * The links of one request: the request's version and dist win, the manifest's are the fallback (each on its own,
 * as in Sentry). A dist means nothing without a release, so it is dropped then. A bundle with no debug ids that ends
 * up with no release could never be found, and is refused with Sentry's message.
 */
export function resolveBundleLinks(
  request: LinkRequest,
  bundle: Pick<ArtifactBundlePlan, 'manifestRelease' | 'manifestDist'> & { hasDebugIds: boolean },
): BundleLinks {
  const releaseName = request.version || bundle.manifestRelease || null;
  if (releaseName === null && !bundle.hasDebugIds) {
    throw new AppError('debug_ids_or_release_required', NO_DEBUG_IDS_OR_RELEASE_MESSAGE);
  }
  const dist = request.dist || bundle.manifestDist || '';
  return {
    release: releaseName === null ? null : { name: releaseName, dist },
    projectIds: [...new Set(request.projectIds)].sort(compareIds),
  };
}

/**
 * Links of several requests for one bundle (the job's own and those that arrived while it ran). A request whose
 * links alone would be refused still adds its projects: the bundle is findable by the others' links or debug ids.
 */
export function mergeBundleLinks(all: readonly BundleLinks[]): { releases: Array<{ name: string; dist: string }>; projectIds: string[] } {
  const releases = new Map<string, { name: string; dist: string }>();
  const projects = new Set<string>();
  for (const links of all) {
    if (links.release) releases.set(JSON.stringify([links.release.name, links.release.dist]), links.release);
    for (const id of links.projectIds) projects.add(id);
  }
  return { releases: [...releases.values()], projectIds: [...projects].sort(compareIds) };
}

/** Resolves a request that may be refused on its own into the links it can still contribute. */
export function lenientBundleLinks(
  request: LinkRequest,
  bundle: Pick<ArtifactBundlePlan, 'manifestRelease' | 'manifestDist'> & { hasDebugIds: boolean },
): BundleLinks {
  try {
    return resolveBundleLinks(request, bundle);
  } catch {
    return { release: null, projectIds: [...new Set(request.projectIds)].sort(compareIds) };
  }
}

/** Decimal id strings in numeric order (they are bigints; string order would put "10" before "9"). */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
