import type { MemberRole } from '../../domain/dashboards/editAccess.js';
import { isBigintId } from './bigintId.js';
import type { DashboardDb } from './dashboardSchema.js';

/** What the dashboard rules need to know about the acting user in one organisation. */
export interface ActorFacts {
  userId: string | null;
  /** false when a user id was given but no active user has it */
  known: boolean;
  /** an active superuser (Sentry: an active superuser session) */
  isSuperuser: boolean;
  role: MemberRole | null;
  teamIds: ReadonlySet<string>;
}

/** Loads the actor's superuser flag, membership role and teams; a request without a user gets none of them. */
export async function loadActorFacts(db: DashboardDb, organizationId: string, userId: string | null): Promise<ActorFacts> {
  if (userId === null) return { userId, known: true, isSuperuser: false, role: null, teamIds: new Set() };
  if (!isBigintId(userId)) return { userId, known: false, isSuperuser: false, role: null, teamIds: new Set() };
  const user = await db.selectFrom('app_user').select(['is_superuser', 'is_active']).where('id', '=', userId).executeTakeFirst();
  const member = await db
    .selectFrom('organization_member')
    .select(['id', 'role'])
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const teams = member
    ? await db.selectFrom('organization_member_team').select('team_id').where('organization_member_id', '=', member.id).execute()
    : [];
  return {
    userId,
    known: user?.is_active === true,
    isSuperuser: Boolean(user?.is_superuser && user.is_active),
    role: member?.role ?? null,
    teamIds: new Set(teams.map((t) => t.team_id)),
  };
}

/** The subset of `ids` that are teams of the organisation. */
export async function teamIdsInOrganization(db: DashboardDb, organizationId: string, ids: readonly string[]): Promise<Set<string>> {
  const candidates = [...new Set(ids.filter(isBigintId))];
  if (candidates.length === 0) return new Set();
  const rows = await db.selectFrom('team').select('id').where('organization_id', '=', organizationId).where('id', 'in', candidates).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * The subset of `ids` the actor may put on a dashboard. Every member sees every project of the organisation (we
 * have no project teams: Sentry's open-membership case).
 */
export async function accessibleProjectIds(db: DashboardDb, organizationId: string, ids: readonly string[]): Promise<Set<string>> {
  const candidates = [...new Set(ids.filter(isBigintId))];
  if (candidates.length === 0) return new Set();
  const rows = await db.selectFrom('project').select('id').where('organization_id', '=', organizationId).where('id', 'in', candidates).execute();
  return new Set(rows.map((r) => r.id));
}
