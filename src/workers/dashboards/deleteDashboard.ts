import { isBigintId } from '../../adapters/db/bigintId.js';
import { lockDashboard } from '../../adapters/db/dashboardReads.js';
import type { DashboardTx } from '../../adapters/db/dashboardSchema.js';
import { deleteDashboard as deleteDashboardRow, insertTombstone } from '../../adapters/db/dashboardWrites.js';
import { LAST_DASHBOARD_BODY, NOT_FOUND_BODY, TITLE_TAKEN_BODY, dashboardError } from '../../domain/dashboards/errorBodies.js';
import { isPrebuiltDashboardId } from '../../domain/dashboards/prebuilt.js';
import { type DashboardDeps, type DashboardRequestActor, assertCanEdit, inDashboardTransaction, resolveActor } from './dashboardAccess.js';

export interface DeleteDashboardInput {
  organizationId: string;
  dashboardId: string;
  actor: DashboardRequestActor;
}

/**
 * `DELETE /dashboards/{id}/`. The prebuilt dashboard is tombstoned (hidden from the list); a real one is deleted
 * with its widgets, queries, projects and permissions (cascades). Either way the organisation keeps at least one
 * dashboard: removing the last one is a 409 `["Cannot delete last Dashboard."]`, as in Sentry.
 */
export async function deleteDashboard(deps: DashboardDeps, input: DeleteDashboardInput): Promise<void> {
  await inDashboardTransaction(deps.db, TITLE_TAKEN_BODY, async (tx) => {
    await resolveActor(tx, input.organizationId, input.actor);
    const { dashboards, tombstones } = await countDashboards(tx, input.organizationId);
    if (isPrebuiltDashboardId(input.dashboardId)) {
      if (dashboards === 0) throw dashboardError(409, LAST_DASHBOARD_BODY);
      await insertTombstone(tx, input.organizationId, input.dashboardId);
      return;
    }
    if (!isBigintId(input.dashboardId)) throw dashboardError(404, NOT_FOUND_BODY);
    const row = await lockDashboard(tx, input.organizationId, input.dashboardId);
    if (!row) throw dashboardError(404, NOT_FOUND_BODY);
    await assertCanEdit(tx, row, input);
    if (dashboards <= 1 && tombstones > 0) throw dashboardError(409, LAST_DASHBOARD_BODY);
    await deleteDashboardRow(tx, row.id);
  });
}

async function countDashboards(tx: DashboardTx, organizationId: string) {
  const [dashboards, tombstones] = await Promise.all([
    tx.selectFrom('dashboard').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', organizationId).executeTakeFirstOrThrow(),
    tx.selectFrom('dashboard_tombstone').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', organizationId).executeTakeFirstOrThrow(),
  ]);
  return { dashboards: Number(dashboards.n), tombstones: Number(tombstones.n) };
}
