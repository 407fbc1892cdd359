import { CREATE_TITLE_TAKEN_BODY } from '../../domain/dashboards/errorBodies.js';
import { type DashboardBodyInput, type DashboardDeps, inDashboardTransaction, resolveActor, serializeStoredDashboard } from './dashboardAccess.js';
import { createDashboardIn } from './reconcileDashboard.js';

/**
 * `POST /dashboards/`: validates the body (title required), creates the dashboard with its widgets, filters and
 * permissions in one transaction, and answers the details body (the route answers 201). A title already used in
 * the organisation is a 409 with Sentry's bare string body.
 */
export async function createDashboard(deps: DashboardDeps, input: DashboardBodyInput): Promise<Record<string, unknown>> {
  return inDashboardTransaction(deps.db, CREATE_TITLE_TAKEN_BODY, async (tx) => {
    const { actor } = await resolveActor(tx, input.organizationId, input.actor);
    const row = await createDashboardIn(tx, input, actor);
    return serializeStoredDashboard(deps, tx, row);
  });
}
