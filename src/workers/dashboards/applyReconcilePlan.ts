import type { DashboardTx } from '../../adapters/db/dashboardSchema.js';
import {
  deleteQueriesExcept,
  deleteWidgets,
  insertQueries,
  insertWidget,
  replaceDashboardProjects,
  saveDashboardFilters,
  savePermissions,
  updateDashboardTitle,
  updateQuery,
  updateWidget,
} from '../../adapters/db/dashboardWrites.js';
import type { ReconcilePlan } from '../../domain/dashboards/planReconcile.js';
import type { QueryPlan } from '../../domain/dashboards/planWidgets.js';
import type { QueryValues } from '../../domain/dashboards/stored.js';

/**
 * Applies a reconcile plan inside the caller's transaction (which holds the dashboard's row lock), in the
 * reference's order: title, widget deletions, widget updates and creations in request order, filters and projects,
 * permissions. Orders in the plan are above every stored order, so the unique (parent, order) constraints hold
 * after each statement.
 */
export async function applyReconcilePlan(tx: DashboardTx, dashboardId: string, storedTitle: string, plan: ReconcilePlan): Promise<void> {
  if (plan.title !== storedTitle) await updateDashboardTitle(tx, dashboardId, plan.title);
  if (plan.widgets) {
    await deleteWidgets(tx, dashboardId, plan.widgets.deleteWidgetIds);
    for (const step of plan.widgets.steps) {
      if (step.kind === 'create') {
        const widgetId = await insertWidget(tx, dashboardId, step.values);
        await insertQueries(tx, widgetId, step.queries);
      } else {
        await updateWidget(tx, step.widgetId, step.values);
        if (step.queries) await applyQueryPlan(tx, step.widgetId, step.queries);
      }
    }
  }
  if (plan.projects.kind === 'all') await replaceDashboardProjects(tx, dashboardId, []);
  if (plan.projects.kind === 'set') await replaceDashboardProjects(tx, dashboardId, plan.projects.projectIds);
  if (plan.filters) await saveDashboardFilters(tx, dashboardId, plan.filters);
  if (plan.permissions) await savePermissions(tx, dashboardId, plan.permissions);
}

/** Deletes the queries not kept, updates the kept ones in order, then inserts the new ones in one statement. */
async function applyQueryPlan(tx: DashboardTx, widgetId: string, plan: QueryPlan): Promise<void> {
  await deleteQueriesExcept(tx, widgetId, plan.keepQueryIds);
  const created: QueryValues[] = [];
  for (const step of plan.steps) {
    if (step.kind === 'create') created.push(step.values);
    else await updateQuery(tx, step.queryId, step.values);
  }
  await insertQueries(tx, widgetId, created);
}
