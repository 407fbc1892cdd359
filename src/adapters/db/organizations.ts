import { sql } from 'kysely';
import { isBigintId } from './bigintId.js';
import type { DbOrTx } from './connect.js';
import type { OrganizationRow } from './schema.js';

export interface Organization {
  id: string;
  name: string;
  slug: string;
  status: number;
  dateAdded: Date;
}

export interface NewOrganization {
  id: string;
  name: string;
  slug: string;
}

/** The unique constraint a slug collision violates (Postgres' default name for `slug ... UNIQUE`). */
export const ORGANIZATION_SLUG_CONSTRAINT = 'organization_slug_key';

function toOrganization(row: OrganizationRow): Organization {
  return { id: row.id, name: row.name, slug: row.slug, status: row.status, dateAdded: row.date_added };
}

export async function insertOrganization(db: DbOrTx, org: NewOrganization): Promise<Organization> {
  const row = await db
    .insertInto('organization')
    .values({ id: org.id, name: org.name, slug: org.slug })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toOrganization(row);
}

export async function findOrganizationBySlug(db: DbOrTx, slug: string): Promise<Organization | undefined> {
  const row = await db.selectFrom('organization').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row && toOrganization(row);
}

export async function findOrganizationById(db: DbOrTx, id: string): Promise<Organization | undefined> {
  if (!isBigintId(id)) return undefined; // cannot match, and would be a Postgres error
  const row = await db.selectFrom('organization').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toOrganization(row);
}

/** Case-insensitive, as slug generation requires (reference D.3). */
export async function organizationSlugExists(db: DbOrTx, slug: string): Promise<boolean> {
  const row = await db
    .selectFrom('organization')
    .select('id')
    .where(sql<string>`lower(slug)`, '=', slug.toLowerCase())
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
