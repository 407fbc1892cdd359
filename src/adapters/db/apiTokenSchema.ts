import type { ColumnType, Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { DashboardDatabase } from './dashboardSchema.js';

/** Kysely table type of migration 0003 (organisation API tokens) and its repository functions. */
type GeneratedId = ColumnType<string, never, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface ApiTokenTable {
  id: GeneratedId;
  organization_id: string;
  user_id: string | null;
  name: ColumnType<string, string | undefined, string>;
  token_hash: string;
  scopes: ColumnType<string[], string[] | undefined, string[]>;
  date_added: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface ApiTokenDatabase {
  api_token: ApiTokenTable;
}

export type ApiTokenDb = Kysely<Database & DashboardDatabase & ApiTokenDatabase>;
export type ApiTokenRow = Selectable<ApiTokenTable>;

/** `Db` and `ApiTokenDb` share one pool; only the compile-time table list differs. */
export function asApiTokenDb(db: Kysely<Database>): ApiTokenDb {
  return db as unknown as ApiTokenDb;
}

export async function insertApiToken(
  db: ApiTokenDb,
  token: { organizationId: string; userId: string | null; name: string; tokenHash: string; scopes?: string[] },
): Promise<ApiTokenRow> {
  return db
    .insertInto('api_token')
    .values({
      organization_id: token.organizationId,
      user_id: token.userId,
      name: token.name,
      token_hash: token.tokenHash,
      scopes: token.scopes ?? [],
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The unrevoked token with this hash, or undefined. */
export async function findActiveTokenByHash(db: ApiTokenDb, tokenHash: string): Promise<ApiTokenRow | undefined> {
  return db.selectFrom('api_token').selectAll().where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
}

/** Marks a token revoked; true when a still-active token was revoked by this call. */
export async function revokeApiToken(db: ApiTokenDb, id: string, now: Date): Promise<boolean> {
  const result = await db.updateTable('api_token').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function listApiTokens(db: ApiTokenDb, organizationId: string): Promise<ApiTokenRow[]> {
  return db.selectFrom('api_token').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute();
}

export async function touchApiToken(db: ApiTokenDb, id: string, now: Date): Promise<void> {
  await db.updateTable('api_token').set({ last_used_at: now }).where('id', '=', id).execute();
}
