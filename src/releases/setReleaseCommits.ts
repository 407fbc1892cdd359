import { findRepositoriesByNames, getOrCreateRepositories } from '../adapters/db/codeRepositories.js';
import { commitKey, getOrCreateCommitAuthors, replaceReleaseCommits, setReleaseHeadCommit, upsertCommits, type NewCommit } from '../adapters/db/commits.js';
import type { Tx } from '../adapters/db/connect.js';
import { updateReleaseColumns } from '../adapters/db/releaseQueries.js';
import type { Release } from '../adapters/db/releases.js';
import { planReleaseCommits, releaseAuthorIds, type InlineCommit } from '../domain/releases/planReleaseCommits.js';
import { fieldError } from '../orgs/deps.js';

export interface HeadRef {
  repository: string;
  commit: string;
  previousCommit?: string | null;
}

/**
 * Sets a release's commits to `commits` (newest first), creating the repositories and authors they name, and
 * updates the release's materialised commit count, last commit and authors. Runs in the caller's transaction,
 * which holds the release's row lock.
 */
export async function setReleaseCommits(tx: Tx, release: Release, commits: readonly InlineCommit[]): Promise<void> {
  const plan = planReleaseCommits(release.organizationId, commits);
  const repos = await getOrCreateRepositories(tx, release.organizationId, plan.repositories);
  const authorIds = await getOrCreateCommitAuthors(tx, release.organizationId, plan.authors);
  // Two names may resolve to one repository (case-insensitively): keep a commit's first place only.
  const ordered: NewCommit[] = [];
  const seen = new Set<string>();
  for (const commit of plan.commits) {
    const repositoryId = (repos.get(commit.repository) as { id: string }).id;
    const key = commitKey(repositoryId, commit.key);
    if (seen.has(key)) continue;
    seen.add(key);
    ordered.push({
      repositoryId,
      key: commit.key,
      message: commit.message,
      dateAdded: commit.timestamp,
      authorId: commit.authorEmail === null ? null : (authorIds.get(commit.authorEmail) ?? null),
    });
  }
  const ids = await upsertCommits(tx, release.organizationId, ordered);
  const commitIds = ordered.map((c) => ids.get(commitKey(c.repositoryId, c.key)) as string);
  await replaceReleaseCommits(tx, release.organizationId, release.id, commitIds);
  await updateReleaseColumns(tx, release.id, {
    commitCount: commitIds.length,
    lastCommitId: commitIds[0] ?? null,
    authors: releaseAuthorIds(ordered.map((c) => c.authorId)),
  });
}

/**
 * Records the head commit of each named repository, as Sentry does: the repositories must exist (sentry-cli lists
 * them first); unknown names are a 400 like Sentry's. Sentry then asks the repository's provider for the commits of
 * the range; we have no provider, so, like Sentry without one, the release's commits stay as they are. A ref is
 * whatever the client typed (often a short SHA, `repo@abc1234..def5678`): made the release's last commit, it would be
 * handed by `previous-with-commits` to the next `set-commits --local`/`--auto`, which cannot resolve it in git.
 */
export async function setReleaseRefs(tx: Tx, release: Release, refs: readonly HeadRef[]): Promise<void> {
  const names = refs.map((r) => r.repository);
  const repos = await findRepositoriesByNames(tx, release.organizationId, names);
  const missing = [...new Set(names.filter((n) => !repos.has(n)))];
  if (missing.length > 0) throw fieldError('refs', `Invalid repository names: ${missing.join(',')}`);
  const heads: NewCommit[] = [];
  for (const ref of refs) {
    const repositoryId = (repos.get(ref.repository) as { id: string }).id;
    // The last ref of a repository wins, as one release has one head per repository.
    const at = heads.findIndex((h) => h.repositoryId === repositoryId);
    const head = { repositoryId, key: ref.commit, message: null, dateAdded: null, authorId: null };
    if (at >= 0) heads[at] = head;
    else heads.push(head);
  }
  const ids = await upsertCommits(tx, release.organizationId, heads);
  for (const head of heads) {
    const commitId = ids.get(commitKey(head.repositoryId, head.key)) as string;
    await setReleaseHeadCommit(tx, { organizationId: release.organizationId, releaseId: release.id, repositoryId: head.repositoryId, commitId });
  }
}
