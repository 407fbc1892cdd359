import { isBigintId } from '../../adapters/db/bigintId.js';
import { findDashboard, loadWidgets, lockDashboard } from '../../adapters/db/dashboardReads.js';
import type { DashboardDb, DashboardRow, DashboardTx } from '../../adapters/db/dashboardSchema.js';
import { insertDashboard, insertTombstone } from '../../adapters/db/dashboardWrites.js';
import { findReconcileReceipt, insertReconcileReceipt } from '../../adapters/db/reconcileReceipts.js';
import {
  NOT_FOUND_BODY,
  QUERY_NOT_IN_WIDGET_BODY,
  TITLE_TAKEN_BODY,
  WIDGET_NOT_IN_DASHBOARD_BODY,
  dashboardError,
} from '../../domain/dashboards/errorBodies.js';
import type { DashboardActor, ValidatedDashboard } from '../../domain/dashboards/model.js';
import { type ReconcilePlan, planReconcile } from '../../domain/dashboards/planReconcile.js';
import type { PlanFailure } from '../../domain/dashboards/planWidgets.js';
import { isPrebuiltDashboardId } from '../../domain/dashboards/prebuilt.js';
import type { DashboardState } from '../../domain/dashboards/stored.js';
import { applyReconcilePlan } from './applyReconcilePlan.js';
import {
  type DashboardBodyInput,
  type DashboardDeps,
  assertCanEdit,
  inDashboardTransaction,
  resolveActor,
  serializeStoredDashboard,
  validateBody,
} from './dashboardAccess.js';

export interface ReconcileDashboardInput extends DashboardBodyInput {
  /** a dashboard id, or the prebuilt "default-overview" (which forks it into a new dashboard) */
  dashboardId: string;
  /** the PUT's request id: applied once, however often its job runs (absent: applied every time) */
  requestId?: string;
}

const FAILURE_BODIES: Record<PlanFailure, string[]> = {
  widget_not_in_dashboard: WIDGET_NOT_IN_DASHBOARD_BODY,
  query_not_in_widget: QUERY_NOT_IN_WIDGET_BODY,
};

/**
 * The dashboard details PUT (reference A.1 and A.3), in one transaction: lock the dashboard row, check edit access,
 * validate the body, plan against the widgets as they are under the lock, apply, record the request's receipt, and
 * answer the serialized dashboard. A request whose receipt exists (its job ran before, and Redis lost or repeated
 * it) is not applied again: the answer is the dashboard as it is. Failures throw AppErrors whose `details` hold the
 * exact HTTP answer (see errorBodies.ts); nothing is written unless everything succeeds.
 */
export async function reconcileDashboard(deps: DashboardDeps, input: ReconcileDashboardInput): Promise<Record<string, unknown>> {
  return inDashboardTransaction(deps.db, TITLE_TAKEN_BODY, async (tx) => {
    if (isPrebuiltDashboardId(input.dashboardId)) return forkPrebuiltDashboard(deps, tx, input);
    if (!isBigintId(input.dashboardId)) throw dashboardError(404, NOT_FOUND_BODY);
    const row = await lockDashboard(tx, input.organizationId, input.dashboardId);
    if (!row) throw dashboardError(404, NOT_FOUND_BODY);
    // under the row lock: a run of the same request that committed meanwhile is seen here
    if (input.requestId !== undefined && (await findReconcileReceipt(tx, input.requestId)) !== undefined) {
      return serializeStoredDashboard(deps, tx, row);
    }
    const actor = await assertCanEdit(tx, row, input);
    const request = await validateBody(tx, input, actor, row);
    const widgets = (await loadWidgets(tx, [row.id])).get(row.id) ?? [];
    const plan = planOrThrow({ title: row.title, filters: row.filters, widgets }, request);
    await applyReconcilePlan(tx, row.id, row.title, plan);
    await recordReceipt(tx, input, row.id);
    return serializeStoredDashboard(deps, tx, await reread(tx, row));
  });
}

async function recordReceipt(tx: DashboardTx, input: ReconcileDashboardInput, dashboardId: string): Promise<void> {
  if (input.requestId === undefined) return;
  await insertReconcileReceipt(tx, { requestId: input.requestId, organizationId: input.organizationId, dashboardId });
}

/** True once the PUT `requestId` is committed: its reconcile wrote the receipt in its transaction. */
export async function isReconcileApplied(deps: DashboardDeps, requestId: string): Promise<boolean> {
  return (await findReconcileReceipt(deps.db, requestId)) !== undefined;
}

/**
 * The checks a PUT answers before enqueueing (404, 403, 400), read-only and without the lock. The worker runs them
 * again under the lock, so a dashboard deleted or changed meanwhile is still answered correctly.
 */
export async function precheckDashboardUpdate(deps: DashboardDeps, input: ReconcileDashboardInput): Promise<void> {
  if (isPrebuiltDashboardId(input.dashboardId)) {
    const { actor } = await resolveActor(deps.db, input.organizationId, input.actor);
    await validateBody(deps.db, input, actor, null);
    return;
  }
  if (!isBigintId(input.dashboardId)) throw dashboardError(404, NOT_FOUND_BODY);
  const row = await findDashboard(deps.db, input.organizationId, input.dashboardId);
  if (!row) throw dashboardError(404, NOT_FOUND_BODY);
  const actor = await assertCanEdit(deps.db, row, input);
  await validateBody(deps.db, input, actor, row);
}

/**
 * Creates a dashboard from a body (POST, and PUT on the prebuilt dashboard): the creation flavour of validation
 * (title required), then the same plan from an empty state, so new widgets are numbered from 1.
 */
export async function createDashboardIn(
  tx: DashboardTx,
  input: DashboardBodyInput,
  actor: DashboardActor,
): Promise<DashboardRow> {
  const request = await validateBody(tx, input, actor, null);
  const plan = planOrThrow({ title: '', filters: null, widgets: [] }, request);
  const row = await insertDashboard(tx, { organizationId: input.organizationId, title: plan.title, createdById: input.actor.userId });
  await applyReconcilePlan(tx, row.id, row.title, plan);
  return reread(tx, row);
}

async function forkPrebuiltDashboard(deps: DashboardDeps, tx: DashboardTx, input: ReconcileDashboardInput) {
  // a redo of a fork answers the dashboard it forked (a concurrent second run fails on the receipt's key and retries)
  const forked = input.requestId === undefined ? undefined : await findReconcileReceipt(tx, input.requestId);
  const existing = forked === undefined ? undefined : await findDashboard(tx, input.organizationId, forked);
  if (existing) return serializeStoredDashboard(deps, tx, existing);
  const { actor } = await resolveActor(tx, input.organizationId, input.actor);
  const row = await createDashboardIn(tx, input, actor);
  await insertTombstone(tx, input.organizationId, input.dashboardId);
  await recordReceipt(tx, input, row.id);
  return serializeStoredDashboard(deps, tx, row);
}

function planOrThrow(state: DashboardState, request: ValidatedDashboard): ReconcilePlan {
  const planned = planReconcile(state, request);
  if (!planned.ok) throw dashboardError(400, FAILURE_BODIES[planned.failure]);
  return planned.plan;
}

async function reread(db: DashboardDb, row: DashboardRow): Promise<DashboardRow> {
  return (await findDashboard(db, row.organization_id, row.id)) ?? row;
}
