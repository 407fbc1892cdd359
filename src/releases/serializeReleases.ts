import { findRepositoriesByIds } from '../adapters/db/codeRepositories.js';
import { findCommitAuthorsByIds, findCommitsByIds, type CommitRecord } from '../adapters/db/commits.js';
import { asDashboardDb } from '../adapters/db/dashboardSchema.js';
import { loadUsers } from '../adapters/db/dashboardReads.js';
import { findDeploysByIds } from '../adapters/db/deploys.js';
import { countArtifactsByRelease, loadReleaseProjects } from '../adapters/db/releaseQueries.js';
import type { Release } from '../adapters/db/releases.js';
import type { SerializedAuthor } from '../domain/releases/releaseAuthors.js';
import type { CommitView } from '../domain/releases/serializeCommit.js';
import { serializeRelease, type SerializeReleaseOptions } from '../domain/releases/serializeRelease.js';
import { getUsersForAuthors } from './getUsersForAuthors.js';
import type { ReleaseDeps } from './releaseDeps.js';

/**
 * Serializes releases of one organisation, loading what the serializer needs in one batch per kind (projects,
 * owners, last commits, last deploys, authors, artifact counts) rather than per release.
 */
export async function serializeReleases(
  deps: ReleaseDeps,
  organizationId: string,
  releases: readonly Release[],
  options: SerializeReleaseOptions = {},
): Promise<Record<string, unknown>[]> {
  if (releases.length === 0) return [];
  const ids = releases.map((r) => r.id);
  const [projects, owners, commits, deploys, fileCounts] = await Promise.all([
    loadReleaseProjects(deps.db, ids),
    loadUsers(asDashboardDb(deps.db), releases.flatMap((r) => (r.ownerId ? [r.ownerId] : []))),
    findCommitsByIds(deps.db, releases.flatMap((r) => (r.lastCommitId ? [r.lastCommitId] : []))),
    findDeploysByIds(deps.db, releases.flatMap((r) => (r.lastDeployId ? [r.lastDeployId] : []))),
    countArtifactsByRelease(deps.db, ids),
  ]);
  const authorIds = [...releases.flatMap((r) => r.authors ?? []), ...[...commits.values()].flatMap((c) => (c.authorId ? [c.authorId] : []))];
  const authorsById = await getUsersForAuthors(deps, organizationId, await findCommitAuthorsByIds(deps.db, authorIds));
  const commitViews = await commitViewsOf(deps, commits, authorsById);
  return releases.map((release) =>
    serializeRelease(
      {
        release,
        projects: projects.get(release.id) ?? [],
        owner: release.ownerId ? (owners.get(release.ownerId) ?? null) : null,
        lastCommit: release.lastCommitId ? (commitViews.get(release.lastCommitId) ?? null) : null,
        lastDeploy: release.lastDeployId ? (deploys.get(release.lastDeployId) ?? null) : null,
        authorsById,
        fileCount: fileCounts.get(release.id) ?? 0,
      },
      options,
    ),
  );
}

export async function serializeOneRelease(
  deps: ReleaseDeps,
  release: Release,
  options: SerializeReleaseOptions = {},
): Promise<Record<string, unknown>> {
  const [serialized] = await serializeReleases(deps, release.organizationId, [release], options);
  return serialized as Record<string, unknown>;
}

export async function commitViewsOf(
  deps: ReleaseDeps,
  commits: ReadonlyMap<string, CommitRecord>,
  authors: ReadonlyMap<string, SerializedAuthor>,
): Promise<Map<string, CommitView>> {
  const repos = await findRepositoriesByIds(deps.db, [...commits.values()].map((c) => c.repositoryId));
  const out = new Map<string, CommitView>();
  for (const commit of commits.values()) {
    out.set(commit.id, {
      key: commit.key,
      message: commit.message,
      dateAdded: commit.dateAdded,
      repository: repos.get(commit.repositoryId) ?? null,
      author: commit.authorId ? (authors.get(commit.authorId) ?? null) : null,
    });
  }
  return out;
}
