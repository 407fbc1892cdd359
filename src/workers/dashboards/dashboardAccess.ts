import { accessibleProjectIds, loadActorFacts, teamIdsInOrganization } from '../../adapters/db/dashboardActors.js';
import { loadDashboardView, loadPermissions } from '../../adapters/db/dashboardReads.js';
import type { DashboardDb, DashboardRow, DashboardTx } from '../../adapters/db/dashboardSchema.js';
import { translateDbError } from '../../adapters/db/errors.js';
import { isUniqueViolation } from '../../adapters/db/uniqueViolation.js';
import { canEditDashboard, dashboardActor } from '../../domain/dashboards/editAccess.js';
import { FORBIDDEN_BODY, dashboardError } from '../../domain/dashboards/errorBodies.js';
import type { DashboardActor, ValidatedDashboard } from '../../domain/dashboards/model.js';
import { referencedIds } from '../../domain/dashboards/references.js';
import { serializeDashboard } from '../../domain/dashboards/serializeDashboard.js';
import { validateDashboard } from '../../domain/dashboards/validateDashboard.js';

/** What the dashboard use cases need. */
export interface DashboardDeps {
  db: DashboardDb;
  /** the clock, for the date-range part of responses */
  now?: () => Date;
  /** event retention in days (start/end older than it are reported expired); null or absent: none, as self-hosted */
  retentionDays?: number | null;
}

/** Who acts: a user (by id), or null for an organisation-level actor. A superuser claim adds to the user row's flag. */
export interface DashboardRequestActor {
  userId: string | null;
  isSuperuser?: boolean;
}

export interface DashboardBodyInput {
  organizationId: string;
  actor: DashboardRequestActor;
  body: unknown;
}

const TITLE_CONSTRAINT = 'dashboard_org_title_unique';

/**
 * Runs `work` in one transaction. A title clash anywhere inside becomes a 409 with `titleTakenBody` (the whole
 * transaction is rolled back, as Sentry's IntegrityError handling does); driver trouble becomes transient AppErrors.
 */
export async function inDashboardTransaction<T>(db: DashboardDb, titleTakenBody: unknown, work: (tx: DashboardTx) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(work);
  } catch (err) {
    if (isUniqueViolation(err, TITLE_CONSTRAINT)) throw dashboardError(409, titleTakenBody);
    throw translateDbError(err);
  }
}

/**
 * The acting user's rights in the organisation. An unknown or inactive user, or a user who is neither a member nor
 * a superuser, is refused (Sentry's organisation-level permission) with the 403 answer.
 */
export async function resolveActor(db: DashboardDb, organizationId: string, actor: DashboardRequestActor) {
  const facts = await loadActorFacts(db, organizationId, actor.userId);
  const superuser = facts.isSuperuser || actor.isSuperuser === true;
  if (!facts.known || (actor.userId !== null && facts.role === null && !superuser)) throw dashboardError(403, FORBIDDEN_BODY);
  const resolved: DashboardActor = dashboardActor({
    userId: actor.userId,
    isSuperuser: superuser,
    role: facts.role,
  });
  return { actor: resolved, teamIds: facts.teamIds };
}

/** The edit-access object permission (A.1.1, edit-access variant); throws the 403 answer. */
export async function assertCanEdit(db: DashboardDb, row: DashboardRow, input: Omit<DashboardBodyInput, 'body'>): Promise<DashboardActor> {
  const { actor, teamIds } = await resolveActor(db, input.organizationId, input.actor);
  const permissions = (await loadPermissions(db, [row.id])).get(row.id) ?? null;
  if (!canEditDashboard({ actor, createdById: row.created_by_id, permissions, actorTeamIds: teamIds })) {
    throw dashboardError(403, FORBIDDEN_BODY);
  }
  return actor;
}

/**
 * Validates a body against the world: loads the teams and projects it mentions, then runs the pure validator.
 * `existing` is the dashboard being updated (null when creating). Throws the 400/403 answer.
 */
export async function validateBody(
  db: DashboardDb,
  input: DashboardBodyInput,
  actor: DashboardActor,
  existing: DashboardRow | null,
): Promise<ValidatedDashboard> {
  const refs = referencedIds(input.body);
  const [organizationTeamIds, projects] = await Promise.all([
    teamIdsInOrganization(db, input.organizationId, refs.teamIds),
    accessibleProjectIds(db, input.organizationId, refs.projectIds),
  ]);
  const result = validateDashboard(input.body, {
    existing: existing ? { createdById: existing.created_by_id } : null,
    actor,
    accessibleProjectIds: projects,
    organizationTeamIds,
    titleRequired: existing === null,
  });
  if (!result.ok) throw dashboardError(result.status, result.body);
  return result.value;
}

/** The details response of a stored dashboard. */
export async function serializeStoredDashboard(deps: DashboardDeps, db: DashboardDb, row: DashboardRow): Promise<Record<string, unknown>> {
  const view = await loadDashboardView(db, row);
  return serializeDashboard(view, { now: deps.now?.() ?? new Date(), retentionDays: deps.retentionDays ?? null });
}
