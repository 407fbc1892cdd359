import { sql } from 'kysely';
import { isBigintId } from './bigintId.js';
import type { DbOrTx } from './connect.js';
import type { ProjectRow } from './schema.js';

/** Project status 0 is active (Sentry's ObjectStatus.ACTIVE); anything else is on its way out. */
export const PROJECT_STATUS_ACTIVE = 0;
/** The unique constraint a slug collision violates. */
export const PROJECT_SLUG_CONSTRAINT = 'project_org_slug_unique';

export interface Project {
  id: string;
  organizationId: string;
  slug: string;
  name: string;
  platform: string | null;
  status: number;
  dateAdded: Date;
}

export interface NewProject {
  id: string;
  organizationId: string;
  slug: string;
  name: string;
  platform?: string | null;
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    organizationId: row.organization_id,
    slug: row.slug,
    name: row.name,
    platform: row.platform,
    status: row.status,
    dateAdded: row.date_added,
  };
}

export async function insertProject(db: DbOrTx, project: NewProject): Promise<Project> {
  const row = await db
    .insertInto('project')
    .values({
      id: project.id,
      organization_id: project.organizationId,
      slug: project.slug,
      name: project.name,
      platform: project.platform ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toProject(row);
}

/** Exact slug match, any status. */
export async function findProjectBySlug(
  db: DbOrTx,
  organizationId: string,
  slug: string,
): Promise<Project | undefined> {
  const row = await db
    .selectFrom('project')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('slug', '=', slug)
    .executeTakeFirst();
  return row && toProject(row);
}

/**
 * Active projects of one organisation named by refs as Sentry's API accepts them: an all-digit ref is an id,
 * anything else a slug. Refs that match nothing are simply absent from the result (the caller reports them).
 */
export async function findProjectsBySlugsOrIds(db: DbOrTx, organizationId: string, refs: string[]): Promise<Project[]> {
  const ids = refs.filter((ref) => /^\d+$/.test(ref)).filter(isBigintId);
  const slugs = refs.filter((ref) => !/^\d+$/.test(ref));
  if (ids.length === 0 && slugs.length === 0) return [];
  const rows = await db
    .selectFrom('project')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('status', '=', PROJECT_STATUS_ACTIVE)
    .where((eb) =>
      eb.or([
        ...(ids.length > 0 ? [eb('id', 'in', ids)] : []),
        ...(slugs.length > 0 ? [eb('slug', 'in', slugs)] : []),
      ]),
    )
    .orderBy('id')
    .execute();
  return rows.map(toProject);
}

/** Case-insensitive, as slug generation requires (reference D.3). */
export async function projectSlugExists(db: DbOrTx, organizationId: string, slug: string): Promise<boolean> {
  const row = await db
    .selectFrom('project')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where(sql<string>`lower(slug)`, '=', slug.toLowerCase())
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
