import {
  findBundlesByDebugId,
  findBundlesByRelease,
  findBundlesByReleaseUrl,
  findProjectBundles,
  type BundleHit,
} from '../adapters/db/artifactBundleReads.js';
import type { FileStoreDeps } from '../adapters/files/index.js';
import {
  MAX_LOOKUP_BUNDLES,
  mergeLookupFindings,
  type ArtifactLookupPlan,
  type BundleRef,
  type FoundBundle,
  type LookupMatch,
  type ReleaseFileRef,
} from '../domain/artifactLookup.js';
import { isAppError } from '../domain/errors.js';
import { findScopedRelease } from '../releases/findScopedRelease.js';
import { listReleaseArtifacts, type ReleaseArtifact } from '../releases/listReleaseArtifacts.js';
import { readBundleListings, type ArtifactScope } from './bundleContent.js';

/**
 * Everything the plan's sources find for the project, merged into one preference-ordered list (see
 * `mergeLookupFindings`). Reads: up to three bundle queries, one listing (zip directory and manifest) per bundle
 * whose members are listed, and the release's files of that dist (one artifact index read at most).
 */
export async function lookupArtifacts(
  deps: FileStoreDeps,
  scope: ArtifactScope,
  plan: ArtifactLookupPlan,
): Promise<{ matches: LookupMatch[]; truncated: boolean }> {
  const [byDebugId, byUrl, byRelease, releaseFiles] = await Promise.all([
    plan.debugId === null ? [] : findBundlesByDebugId(deps.db, { ...scope, debugId: plan.debugId, limit: MAX_LOOKUP_BUNDLES }),
    findUrlBundles(deps, scope, plan),
    plan.release === null || plan.urlCandidates.length > 0
      ? []
      : findBundlesByRelease(deps.db, { ...scope, release: plan.release.name, dist: plan.release.dist, limit: MAX_LOOKUP_BUNDLES }),
    findReleaseFiles(deps, scope, plan),
  ]);
  const refs = await bundleRefs(deps, scope, [...byDebugId, ...byUrl, ...byRelease]);
  // members are listed for debug-id and URL matches only: a release alone answers with its bundles, not their files
  const listings = await readBundleListings(deps, [...byDebugId, ...byUrl].map((hit) => hit.fileId));
  const found = (hits: BundleHit[], withMembers: boolean): FoundBundle[] =>
    hits.flatMap((hit) => {
      const bundle = refs.get(hit.artifactBundleId);
      return bundle ? [{ bundle, listing: withMembers ? (listings.get(hit.fileId) ?? null) : null }] : [];
    });
  return mergeLookupFindings(plan, {
    byDebugId: found(byDebugId, true),
    byUrl: found(byUrl, true),
    byRelease: found(byRelease, false),
    releaseFiles,
  });
}

/** Bundles of the release+dist holding a URL candidate, each once (a bundle may hold `http://x/a.js` and `~/a.js`). */
async function findUrlBundles(deps: FileStoreDeps, scope: ArtifactScope, plan: ArtifactLookupPlan): Promise<BundleHit[]> {
  if (plan.release === null || plan.urlCandidates.length === 0) return [];
  const rows = await findBundlesByReleaseUrl(deps.db, {
    ...scope,
    release: plan.release.name,
    dist: plan.release.dist,
    urls: plan.urlCandidates,
    limit: MAX_LOOKUP_BUNDLES * plan.urlCandidates.length,
  });
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.artifactBundleId) && seen.add(row.artifactBundleId)).slice(0, MAX_LOOKUP_BUNDLES);
}

async function bundleRefs(deps: FileStoreDeps, scope: ArtifactScope, hits: BundleHit[]): Promise<Map<string, BundleRef>> {
  const ids = [...new Set(hits.map((hit) => hit.artifactBundleId))];
  const bundles = await findProjectBundles(deps.db, { ...scope, artifactBundleIds: ids });
  return new Map(bundles.map((bundle) => [bundle.artifactBundleId, bundle]));
}

/**
 * The release's files of that dist (single files and artifact-index entries). A release that does not exist or is
 * not linked to the project has none: the lookup answers what it found, and other sources may still match.
 */
async function findReleaseFiles(deps: FileStoreDeps, scope: ArtifactScope, plan: ArtifactLookupPlan): Promise<ReleaseFileRef[]> {
  if (plan.release === null) return [];
  let releaseId: string;
  try {
    releaseId = (await findScopedRelease(deps.db, scope, plan.release.name)).id;
  } catch (err) {
    if (isAppError(err, 'not_found')) return [];
    throw err;
  }
  const artifacts = await listReleaseArtifacts(deps, releaseId, { dist: plan.release.dist || null });
  const wanted = new Set(plan.urlCandidates);
  return artifacts.filter((artifact) => wanted.size === 0 || wanted.has(artifact.name)).map(releaseFileRef);
}

function releaseFileRef(artifact: ReleaseArtifact): ReleaseFileRef {
  return {
    id: artifact.id,
    name: artifact.name,
    dist: artifact.dist,
    sha1: artifact.sha1,
    size: artifact.size,
    headers: artifact.headers,
    storedAs: artifact.location.kind === 'archive' ? 'archive' : 'file',
  };
}
