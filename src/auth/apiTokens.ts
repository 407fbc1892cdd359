import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isBigintId } from '../adapters/db/bigintId.js';
import {
  asApiTokenDb,
  findActiveTokenByHash,
  insertApiToken,
  listApiTokens as listTokenRows,
  revokeApiToken as revokeTokenRow,
  touchApiToken,
  type ApiTokenRow,
} from '../adapters/db/apiTokenSchema.js';
import { findOrganizationBySlug } from '../adapters/db/organizations.js';
import type { Database } from '../adapters/db/schema.js';
import { AppError } from '../domain/errors.js';

export const TOKEN_PREFIX = 'sntrys_';

/** sha256 hex of a plaintext token: the only form a token is stored in. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface CreatedApiToken {
  id: string;
  organizationId: string;
  /** shown once; never stored */
  token: string;
}

/** Creates an organisation token; returns the plaintext once (`sntrys_` + 32 random bytes, base64url). */
export async function createApiToken(
  db: Kysely<Database>,
  input: { organizationSlug: string; name?: string; userId?: string | null },
): Promise<CreatedApiToken> {
  const organization = await findOrganizationBySlug(db, input.organizationSlug);
  if (!organization) throw new AppError('not_found', `organization ${input.organizationSlug} not found`);
  const userId = input.userId ?? null;
  if (userId !== null) {
    const user = isBigintId(userId)
      ? await asApiTokenDb(db).selectFrom('app_user').select('id').where('id', '=', userId).executeTakeFirst()
      : undefined;
    if (!user) throw new AppError('not_found', `user ${userId} not found`);
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row = await insertApiToken(asApiTokenDb(db), { organizationId: organization.id, userId, name: input.name ?? '', tokenHash: hashToken(token) });
  return { id: row.id, organizationId: organization.id, token };
}

/** Revokes a token by id; not_found when no active token has that id. */
export async function revokeApiToken(db: Kysely<Database>, id: string, now: Date = new Date()): Promise<void> {
  if (!isBigintId(id) || !(await revokeTokenRow(asApiTokenDb(db), id, now))) {
    throw new AppError('not_found', `no active token with id ${id}`);
  }
}

export async function listApiTokens(db: Kysely<Database>, organizationSlug: string): Promise<ApiTokenRow[]> {
  const organization = await findOrganizationBySlug(db, organizationSlug);
  if (!organization) throw new AppError('not_found', `organization ${organizationSlug} not found`);
  return listTokenRows(asApiTokenDb(db), organization.id);
}

export type BearerResult =
  | { ok: true; organizationId: string; userId: string | null; isSuperuser: boolean; tokenId: string }
  | { ok: false; detail: string };

export const NO_CREDENTIALS = 'Authentication credentials were not provided.';
export const INVALID_TOKEN = 'Invalid token';

/** Checks an `Authorization: Bearer <token>` header against the stored, unrevoked token hashes. */
export async function authenticateBearer(db: Kysely<Database>, header: string | undefined, now: Date = new Date()): Promise<BearerResult> {
  if (header === undefined || header.trim() === '') return { ok: false, detail: NO_CREDENTIALS };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return { ok: false, detail: INVALID_TOKEN };
  const tdb = asApiTokenDb(db);
  const row = await findActiveTokenByHash(tdb, hashToken(match[1]));
  if (!row) return { ok: false, detail: INVALID_TOKEN };
  let isSuperuser = false;
  if (row.user_id !== null) {
    const user = await tdb.selectFrom('app_user').select(['is_active', 'is_superuser']).where('id', '=', row.user_id).executeTakeFirst();
    if (!user?.is_active) return { ok: false, detail: INVALID_TOKEN };
    isSuperuser = user.is_superuser;
  }
  await touchApiToken(tdb, row.id, now);
  return { ok: true, organizationId: row.organization_id, userId: row.user_id, isSuperuser, tokenId: row.id };
}
