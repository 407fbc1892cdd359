import { djangoSlugify } from '../slugify.js';

/** One commit as clients send it inline (`PUT releases/{v}/` with `commits`, sentry-cli's `--local` mode). */
export interface InlineCommit {
  id: string;
  repository?: string | null;
  message?: string | null;
  timestamp?: Date | null;
  author_name?: string | null;
  author_email?: string | null;
}

export interface PlannedAuthor {
  /** lower-cased, as the (organization_id, email) key stores it */
  email: string;
  name: string | null;
}

export interface PlannedCommit {
  repository: string;
  key: string;
  message: string | null;
  timestamp: Date | null;
  authorEmail: string | null;
}

/** What setting a release's commits writes: repositories and authors to upsert, and the commits in order. */
export interface ReleaseCommitsPlan {
  repositories: string[];
  authors: PlannedAuthor[];
  /** index 0 is the newest commit: the release's last commit */
  commits: PlannedCommit[];
}

export const AUTHOR_EMAIL_MAX_LENGTH = 75;
export const AUTHOR_NAME_MAX_LENGTH = 128;

/** Commits named without a repository belong to the organisation's catch-all repository. */
export function defaultRepositoryName(organizationId: string): string {
  return `organization-${organizationId}`;
}

/**
 * An author's email: the given one, or one made up from the name (`<slug>@localhost`) so a name-only author still
 * has a key; lower-cased and cut to the column's length. Null when neither is given.
 */
export function authorEmail(commit: Pick<InlineCommit, 'author_email' | 'author_name'>): string | null {
  const given = commit.author_email?.trim();
  const name = commit.author_name?.trim();
  const email = given ? given : name ? `${djangoSlugify(name) || 'unknown'}@localhost` : null;
  return email === null ? null : email.toLowerCase().slice(0, AUTHOR_EMAIL_MAX_LENGTH);
}

/**
 * Plans setting a release's commits to `commits` (newest first). A commit repeated within one repository keeps its
 * first place; an author keeps the first non-empty name given for the email.
 */
export function planReleaseCommits(organizationId: string, commits: readonly InlineCommit[]): ReleaseCommitsPlan {
  const planned: PlannedCommit[] = [];
  const seen = new Set<string>();
  const authors = new Map<string, PlannedAuthor>();
  for (const commit of commits) {
    const repository = commit.repository?.trim() || defaultRepositoryName(organizationId);
    const dedupeKey = JSON.stringify([repository, commit.id]);
    if (seen.has(dedupeKey)) continue;
    seen.add(dedupeKey);
    const email = authorEmail(commit);
    if (email !== null) {
      const name = commit.author_name?.trim().slice(0, AUTHOR_NAME_MAX_LENGTH) || null;
      const known = authors.get(email);
      if (!known) authors.set(email, { email, name });
      else if (known.name === null && name !== null) known.name = name;
    }
    planned.push({
      repository,
      key: commit.id,
      message: commit.message ?? null,
      timestamp: commit.timestamp ?? null,
      authorEmail: email,
    });
  }
  return { repositories: [...new Set(planned.map((c) => c.repository))], authors: [...authors.values()], commits: planned };
}

/** The release's `authors` column: the distinct author ids of its commits, in commit order. */
export function releaseAuthorIds(commitAuthorIds: ReadonlyArray<string | null>): string[] {
  return [...new Set(commitAuthorIds.filter((id): id is string => id !== null))];
}
