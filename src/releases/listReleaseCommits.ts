import { findCommitAuthorsByIds, findCommitsByIds } from '../adapters/db/commits.js';
import { serializeCommit } from '../domain/releases/serializeCommit.js';
import { findScopedRelease } from './findScopedRelease.js';
import { getUsersForAuthors } from './getUsersForAuthors.js';
import type { ReleaseDeps, ReleaseScope } from './releaseDeps.js';
import { commitViewsOf } from './serializeReleases.js';

/**
 * One page of a release's commits in their stored order (what `set-commits` sent, newest first), serialized as
 * everywhere else (Sentry's CommitSerializer with repository and author): `GET .../releases/{version}/commits/`.
 */
export async function listReleaseCommits(
  deps: ReleaseDeps,
  scope: ReleaseScope,
  version: string,
  window: { offset: number; limit: number },
): Promise<Record<string, unknown>[]> {
  const release = await findScopedRelease(deps.db, scope, version);
  const rows = await deps.db
    .selectFrom('release_commit')
    .select('commit_id')
    .where('release_id', '=', release.id)
    .orderBy('order')
    .offset(window.offset)
    .limit(window.limit)
    .execute();
  const ids = rows.map((row) => row.commit_id);
  const commits = await findCommitsByIds(deps.db, ids);
  const authorIds = [...commits.values()].flatMap((commit) => (commit.authorId ? [commit.authorId] : []));
  const authors = await getUsersForAuthors(deps, scope.organizationId, await findCommitAuthorsByIds(deps.db, authorIds));
  const views = await commitViewsOf(deps, commits, authors);
  return ids.flatMap((id) => {
    const view = views.get(id);
    return view ? [serializeCommit(view)] : [];
  });
}
