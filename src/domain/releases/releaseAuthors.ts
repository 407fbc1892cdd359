/**
 * Commit authors as releases show them: a serialized user when the author's email belongs to a member of the
 * organisation, otherwise `{name, email}` (reference B.4). Always has an `email`, which de-duplicates authors.
 */
export type SerializedAuthor = Record<string, unknown> & { email: string };

export interface AuthorRecord {
  id: string;
  name: string | null;
  /** stored lower-cased */
  email: string;
}

/** A user who may own author emails: an active member of the organisation. */
export interface CandidateUser {
  id: string;
  /** the primary email (app_user.email) */
  email: string;
  /** secondary emails (user_email rows) */
  emails: string[];
}

/** The author shown when no user owns the email. */
export function unmappedAuthor(author: Pick<AuthorRecord, 'name' | 'email'>): SerializedAuthor {
  return { name: author.name, email: author.email };
}

/**
 * Which user each author email belongs to, compared case-insensitively. A primary-email match beats a secondary
 * one; among equal matches the oldest user (lowest id) wins, so the answer never depends on row order.
 */
export function matchAuthorsToUsers(emails: readonly string[], users: readonly CandidateUser[]): Map<string, string> {
  const byId = (a: CandidateUser, b: CandidateUser) => compareIds(a.id, b.id);
  const sorted = [...users].sort(byId);
  const out = new Map<string, string>();
  for (const raw of emails) {
    const email = raw.toLowerCase();
    const primary = sorted.find((u) => u.email.toLowerCase() === email);
    const secondary = primary ?? sorted.find((u) => u.emails.some((e) => e.toLowerCase() === email));
    if (secondary) out.set(email, secondary.id);
  }
  return out;
}

/**
 * A release's authors: its `authors` ids in order, skipping ids with no resolved author (deleted or dangling) and
 * de-duplicating by email (first wins), so one user with two author emails appears once.
 */
export function releaseAuthors(
  authorIds: readonly string[] | null,
  resolved: ReadonlyMap<string, SerializedAuthor>,
): SerializedAuthor[] {
  const seen = new Set<string>();
  const out: SerializedAuthor[] = [];
  for (const id of authorIds ?? []) {
    const author = resolved.get(id);
    if (!author || seen.has(author.email)) continue;
    seen.add(author.email);
    out.push(author);
  }
  return out;
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
