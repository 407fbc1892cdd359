import type { DashboardTx } from '../../adapters/db/dashboardSchema.js';
import {
  deleteQueriesExcept,
  deleteWidgets,
  insertQueries,
  insertWidgets,
  replaceDashboardProjects,
  saveDashboardFilters,
  savePermissions,
  updateDashboardTitle,
  updateQueries,
  updateWidgets,
} from '../../adapters/db/dashboardWrites.js';
import type { ReconcilePlan } from '../../domain/dashboards/planReconcile.js';
import { type WidgetStepBatch, widgetStepBatches } from '../../domain/dashboards/widgetStepBatches.js';

/**
 * Applies a reconcile plan inside the caller's transaction (which holds the dashboard's row lock), in the
 * reference's order: title, widget deletions, widget updates and creations in request order, filters and projects,
 * permissions. The widget steps are written a batch at a time, a few statements per batch instead of several per
 * widget (see widgetStepBatches): the rows, orders and ids come out as with row-by-row writes.
 */
export async function applyReconcilePlan(tx: DashboardTx, dashboardId: string, storedTitle: string, plan: ReconcilePlan): Promise<void> {
  if (plan.title !== storedTitle) await updateDashboardTitle(tx, dashboardId, plan.title);
  if (plan.widgets) {
    await deleteWidgets(tx, dashboardId, plan.widgets.deleteWidgetIds);
    for (const batch of widgetStepBatches(plan.widgets.steps)) await applyWidgetBatch(tx, dashboardId, batch);
  }
  if (plan.projects.kind === 'all') await replaceDashboardProjects(tx, dashboardId, []);
  if (plan.projects.kind === 'set') await replaceDashboardProjects(tx, dashboardId, plan.projects.projectIds);
  if (plan.filters) await saveDashboardFilters(tx, dashboardId, plan.filters);
  if (plan.permissions) await savePermissions(tx, dashboardId, plan.permissions);
}

async function applyWidgetBatch(tx: DashboardTx, dashboardId: string, batch: WidgetStepBatch): Promise<void> {
  await deleteQueriesExcept(tx, batch.deleteQueries);
  const createdIds = await insertWidgets(tx, dashboardId, batch.createWidgets);
  await updateWidgets(tx, batch.updateWidgets);
  await updateQueries(tx, batch.updateQueries);
  await insertQueries(
    tx,
    batch.createQueries.map((q) => ('widgetId' in q ? q : { widgetId: widgetIdOf(createdIds, q.widgetOrder), values: q.values })),
  );
}

function widgetIdOf(createdIds: ReadonlyMap<number, string>, order: number): string {
  const id = createdIds.get(order);
  if (id === undefined) throw new Error(`no widget was created at order ${order}`);
  return id;
}
