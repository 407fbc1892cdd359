import type { DashboardActor } from './model.js';

export type MemberRole = 'member' | 'admin' | 'manager' | 'owner';

const ORG_WRITE_ROLES: ReadonlySet<string> = new Set(['manager', 'owner']);

/**
 * Sentry's `org:write` scope for dashboards: managers and owners, superusers (Sentry requires an active superuser
 * session; we trust the user row), and a request that acts for no user (an organisation token: a trusted service).
 */
export function dashboardActor(input: { userId: string | null; isSuperuser: boolean; role: MemberRole | null }): DashboardActor {
  const hasOrgWrite = input.userId === null || input.isSuperuser || (input.role !== null && ORG_WRITE_ROLES.has(input.role));
  return { userId: input.userId, hasOrgWrite };
}

export interface EditAccessFacts {
  actor: DashboardActor;
  createdById: string | null;
  permissions: { isEditableByEveryone: boolean; teamIds: readonly string[] } | null;
  /** teams the acting user belongs to in this organisation */
  actorTeamIds: ReadonlySet<string>;
}

/**
 * The object permission of PUT and DELETE with `organizations:dashboards-edit-access` on (A.1.1): org:write passes;
 * a dashboard without a permissions row is editable by all members; otherwise everyone, the creator, or a member of
 * a team with edit access. Reading is never restricted.
 */
export function canEditDashboard(facts: EditAccessFacts): boolean {
  if (facts.actor.hasOrgWrite) return true;
  if (!facts.permissions) return true;
  if (facts.permissions.isEditableByEveryone) return true;
  if (facts.actor.userId !== null && facts.actor.userId === facts.createdById) return true;
  return facts.permissions.teamIds.some((teamId) => facts.actorTeamIds.has(teamId));
}
