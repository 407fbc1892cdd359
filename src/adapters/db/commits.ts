import type { AuthorRecord } from '../../domain/releases/releaseAuthors.js';
import type { PlannedAuthor } from '../../domain/releases/planReleaseCommits.js';
import { isBigintId } from './bigintId.js';
import type { DbOrTx, Tx } from './connect.js';

export interface NewCommit {
  repositoryId: string;
  key: string;
  message: string | null;
  /** when the commit was made; now when unknown */
  dateAdded: Date | null;
  authorId: string | null;
}

export interface CommitRecord {
  id: string;
  repositoryId: string;
  key: string;
  message: string | null;
  dateAdded: Date;
  authorId: string | null;
}

/** `repositoryId:key`, the natural key of a commit. */
export function commitKey(repositoryId: string, key: string): string {
  return `${repositoryId}:${key}`;
}

/**
 * The commit authors of these emails (lower-cased), created when missing; a later name does not overwrite the
 * first (Sentry's get-or-create). Rows are written in email order so concurrent writers cannot deadlock.
 * Returns email -> author id.
 */
export async function getOrCreateCommitAuthors(
  db: DbOrTx,
  organizationId: string,
  authors: readonly PlannedAuthor[],
): Promise<Map<string, string>> {
  if (authors.length === 0) return new Map();
  const sorted = [...authors].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  await db
    .insertInto('commit_author')
    .values(sorted.map((a) => ({ organization_id: organizationId, email: a.email, name: a.name })))
    .onConflict((oc) => oc.constraint('commit_author_org_email_unique').doNothing())
    .execute();
  const rows = await db
    .selectFrom('commit_author')
    .select(['id', 'email'])
    .where('organization_id', '=', organizationId)
    .where(
      'email',
      'in',
      sorted.map((a) => a.email),
    )
    .execute();
  return new Map(rows.map((r) => [r.email, r.id]));
}

/**
 * Inserts commits or updates the known ones (a message or author given now fills in or replaces the stored one;
 * the date stays). Keys must be unique per repository within one call. Returns commitKey -> commit id.
 */
export async function upsertCommits(db: DbOrTx, organizationId: string, commits: readonly NewCommit[]): Promise<Map<string, string>> {
  if (commits.length === 0) return new Map();
  const sorted = [...commits].sort((a, b) => commitKey(a.repositoryId, a.key).localeCompare(commitKey(b.repositoryId, b.key)));
  const rows = await db
    .insertInto('commit')
    .values(
      sorted.map((c) => ({
        organization_id: organizationId,
        repository_id: c.repositoryId,
        key: c.key,
        message: c.message,
        author_id: c.authorId,
        ...(c.dateAdded ? { date_added: c.dateAdded } : {}),
      })),
    )
    .onConflict((oc) =>
      oc.constraint('commit_repository_key_unique').doUpdateSet((eb) => ({
        message: eb.fn.coalesce('excluded.message', 'commit.message'),
        author_id: eb.fn.coalesce('excluded.author_id', 'commit.author_id'),
      })),
    )
    .returning(['id', 'repository_id', 'key'])
    .execute();
  return new Map(rows.map((r) => [commitKey(r.repository_id, r.key), r.id]));
}

/** Replaces a release's commits with `commitIds`, in order (order 0 first). */
export async function replaceReleaseCommits(tx: Tx, organizationId: string, releaseId: string, commitIds: readonly string[]): Promise<void> {
  await tx.deleteFrom('release_commit').where('release_id', '=', releaseId).execute();
  if (commitIds.length === 0) return;
  await tx
    .insertInto('release_commit')
    .values(commitIds.map((commitId, order) => ({ organization_id: organizationId, release_id: releaseId, commit_id: commitId, order })))
    .execute();
}

/** Records the commit a release points at in one repository (one per repository and release). */
export async function setReleaseHeadCommit(
  tx: Tx,
  head: { organizationId: string; releaseId: string; repositoryId: string; commitId: string },
): Promise<void> {
  await tx
    .insertInto('release_head_commit')
    .values({ organization_id: head.organizationId, release_id: head.releaseId, repository_id: head.repositoryId, commit_id: head.commitId })
    .onConflict((oc) => oc.constraint('release_head_commit_repository_release_unique').doUpdateSet({ commit_id: head.commitId }))
    .execute();
}

export async function findCommitsByIds(db: DbOrTx, ids: readonly string[]): Promise<Map<string, CommitRecord>> {
  const valid = [...new Set(ids)].filter(isBigintId);
  if (valid.length === 0) return new Map();
  const rows = await db
    .selectFrom('commit')
    .select(['id', 'repository_id', 'key', 'message', 'date_added', 'author_id'])
    .where('id', 'in', valid)
    .execute();
  return new Map(
    rows.map((r) => [r.id, { id: r.id, repositoryId: r.repository_id, key: r.key, message: r.message, dateAdded: r.date_added, authorId: r.author_id }]),
  );
}

/** Authors by id; ids that are not ids or match nothing (a release's `authors` may dangle) are absent. */
export async function findCommitAuthorsByIds(db: DbOrTx, ids: readonly string[]): Promise<AuthorRecord[]> {
  const valid = [...new Set(ids)].filter(isBigintId);
  if (valid.length === 0) return [];
  return db.selectFrom('commit_author').select(['id', 'name', 'email']).where('id', 'in', valid).orderBy('id').execute();
}

/** A release's commit ids in order (0 first). */
export async function listReleaseCommitIds(db: DbOrTx, releaseId: string): Promise<string[]> {
  const rows = await db.selectFrom('release_commit').select('commit_id').where('release_id', '=', releaseId).orderBy('order').execute();
  return rows.map((r) => r.commit_id);
}
