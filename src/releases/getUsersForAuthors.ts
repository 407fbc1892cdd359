import { createHash } from 'node:crypto';
import { findMemberUsersByEmails } from '../adapters/db/authorUsers.js';
import { asDashboardDb } from '../adapters/db/dashboardSchema.js';
import { loadUsers } from '../adapters/db/dashboardReads.js';
import { prefixedKey } from '../adapters/redis/connect.js';
import { serializeUser } from '../domain/dashboards/serializeDashboard.js';
import { matchAuthorsToUsers, unmappedAuthor, type AuthorRecord, type SerializedAuthor } from '../domain/releases/releaseAuthors.js';
import type { ReleaseDeps } from './releaseDeps.js';

export const DEFAULT_AUTHOR_CACHE_TTL_SECONDS = 300;

/** The cache key of one author's resolution: per organisation and lower-cased email (reference B.4). */
export function authorCacheKey(redisPrefix: string, organizationId: string, email: string): string {
  const digest = createHash('md5').update(email.toLowerCase(), 'utf8').digest('hex');
  return prefixedKey(redisPrefix, `get_users_for_authors:${organizationId}:${digest}`);
}

/**
 * Maps commit authors to what releases and commits show: the serialized user who owns the email (an active member
 * of the organisation; a primary email beats a secondary one), else `{name, email}`. Results are cached in Redis
 * per email, so a user's later changes show only when the entry expires. Returns author id -> author.
 */
export async function getUsersForAuthors(
  deps: ReleaseDeps,
  organizationId: string,
  authors: readonly AuthorRecord[],
): Promise<Map<string, SerializedAuthor>> {
  const out = new Map<string, SerializedAuthor>();
  if (authors.length === 0) return out;
  const keys = authors.map((a) => authorCacheKey(deps.redisPrefix, organizationId, a.email));
  const cached = await deps.redis.mget(...keys);
  const missed: AuthorRecord[] = [];
  authors.forEach((author, i) => {
    const hit = cached[i];
    if (hit) out.set(author.id, JSON.parse(hit) as SerializedAuthor);
    else missed.push(author);
  });
  if (missed.length === 0) return out;

  const resolved = await resolveAuthors(deps, organizationId, missed);
  const ttl = deps.authorCacheTtlSeconds ?? DEFAULT_AUTHOR_CACHE_TTL_SECONDS;
  const write = deps.redis.multi();
  for (const author of missed) {
    const value = resolved.get(author.id) ?? unmappedAuthor(author);
    out.set(author.id, value);
    write.set(authorCacheKey(deps.redisPrefix, organizationId, author.email), JSON.stringify(value), 'EX', ttl);
  }
  await write.exec();
  return out;
}

async function resolveAuthors(deps: ReleaseDeps, organizationId: string, authors: readonly AuthorRecord[]): Promise<Map<string, SerializedAuthor>> {
  const emails = authors.map((a) => a.email);
  const candidates = await findMemberUsersByEmails(deps.db, organizationId, emails);
  const owners = matchAuthorsToUsers(emails, candidates);
  const users = await loadUsers(asDashboardDb(deps.db), [...owners.values()]);
  const out = new Map<string, SerializedAuthor>();
  for (const author of authors) {
    const userId = owners.get(author.email.toLowerCase());
    const user = userId === undefined ? undefined : users.get(userId);
    // A matched user that cannot be loaded falls back to the plain author (reference B.4 step 4).
    out.set(author.id, user ? (serializeUser(user) as SerializedAuthor) : unmappedAuthor(author));
  }
  return out;
}
