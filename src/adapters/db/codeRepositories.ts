import { sql } from 'kysely';
import type { RepositoryView } from '../../domain/releases/serializeCommit.js';
import type { DbOrTx } from './connect.js';
import type { RepositoryRow } from './releaseHistorySchema.js';

/** Repository status 0 is active; the list endpoint shows active repositories only. */
export const REPOSITORY_STATUS_ACTIVE = 0;

export type CodeRepository = RepositoryView & { organizationId: string };

function toRepository(row: RepositoryRow): CodeRepository {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    url: row.url,
    provider: row.provider,
    status: row.status,
    dateAdded: row.date_added,
  };
}

/**
 * The repositories of these names, created when missing (race-safe through the (organization_id, name)
 * constraint). An existing repository is matched by exact name first, then case-insensitively, as clients type
 * names by hand. Returns a map from each given name to its repository.
 */
export async function getOrCreateRepositories(
  db: DbOrTx,
  organizationId: string,
  names: readonly string[],
): Promise<Map<string, CodeRepository>> {
  const unique = [...new Set(names)];
  const out = new Map<string, CodeRepository>();
  if (unique.length === 0) return out;
  const existing = await findRepositoriesByNames(db, organizationId, unique);
  const missing = unique.filter((name) => !existing.has(name));
  if (missing.length > 0) {
    await db
      .insertInto('repository')
      .values(missing.map((name) => ({ organization_id: organizationId, name })))
      .onConflict((oc) => oc.constraint('repository_org_name_unique').doNothing())
      .execute();
    for (const [name, repo] of await findRepositoriesByNames(db, organizationId, missing)) existing.set(name, repo);
  }
  for (const name of unique) {
    const repo = existing.get(name);
    if (!repo) throw new Error(`repository ${name} vanished while being created`);
    out.set(name, repo);
  }
  return out;
}

/** Repositories by name: exact matches win over case-insensitive ones. Names that match nothing are absent. */
export async function findRepositoriesByNames(
  db: DbOrTx,
  organizationId: string,
  names: readonly string[],
): Promise<Map<string, CodeRepository>> {
  const out = new Map<string, CodeRepository>();
  if (names.length === 0) return out;
  const lowered = [...new Set(names.map((n) => n.toLowerCase()))];
  const rows = await db
    .selectFrom('repository')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where(sql<string>`lower(name)`, 'in', lowered)
    .orderBy('id')
    .execute();
  const repos = rows.map(toRepository);
  for (const name of names) {
    const repo = repos.find((r) => r.name === name) ?? repos.find((r) => r.name.toLowerCase() === name.toLowerCase());
    if (repo) out.set(name, repo);
  }
  return out;
}

export async function listRepositories(
  db: DbOrTx,
  organizationId: string,
  options: { query?: string; offset: number; limit: number },
): Promise<CodeRepository[]> {
  let query = db
    .selectFrom('repository')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('status', '=', REPOSITORY_STATUS_ACTIVE);
  if (options.query) query = query.where('name', 'ilike', `%${escapeLike(options.query)}%`);
  const rows = await query.orderBy('name').orderBy('id').offset(options.offset).limit(options.limit).execute();
  return rows.map(toRepository);
}

export async function findRepositoriesByIds(db: DbOrTx, ids: readonly string[]): Promise<Map<string, CodeRepository>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('repository').selectAll().where('id', 'in', unique).execute();
  return new Map(rows.map((row) => [row.id, toRepository(row)]));
}

/** LIKE patterns treat `%`, `_` and `\` specially; a user's text must match literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
