import { isBigintId } from '../../adapters/db/bigintId.js';
import { findDashboard } from '../../adapters/db/dashboardReads.js';
import { NOT_FOUND_BODY, dashboardError } from '../../domain/dashboards/errorBodies.js';
import { PREBUILT_DASHBOARD, isPrebuiltDashboardId } from '../../domain/dashboards/prebuilt.js';
import { withDbErrors } from '../../adapters/db/errors.js';
import { type DashboardDeps, type DashboardRequestActor, resolveActor, serializeStoredDashboard } from './dashboardAccess.js';

export interface GetDashboardInput {
  organizationId: string;
  dashboardId: string;
  actor: DashboardRequestActor;
}

/**
 * `GET /dashboards/{id}/`: the serialized dashboard, or the prebuilt dashboard's dict (reachable even when
 * tombstoned, as in Sentry). Reading is open to every member: edit access restricts only PUT and DELETE.
 */
export async function getDashboard(deps: DashboardDeps, input: GetDashboardInput): Promise<Record<string, unknown>> {
  return withDbErrors(async () => {
    await resolveActor(deps.db, input.organizationId, input.actor);
    if (isPrebuiltDashboardId(input.dashboardId)) return structuredClone(PREBUILT_DASHBOARD) as unknown as Record<string, unknown>;
    const row = isBigintId(input.dashboardId) ? await findDashboard(deps.db, input.organizationId, input.dashboardId) : undefined;
    if (!row) throw dashboardError(404, NOT_FOUND_BODY);
    return serializeStoredDashboard(deps, deps.db, row);
  });
}
