import type { QueryValues, StoredFilters, WidgetValues } from '../../domain/dashboards/stored.js';
import type { DashboardRow, DashboardTx } from './dashboardSchema.js';

/** Writes of the dashboard reconcile. All take a transaction: they run under the dashboard's row lock. */

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

export async function insertDashboard(
  tx: DashboardTx,
  row: { organizationId: string; title: string; createdById: string | null },
): Promise<DashboardRow> {
  return tx
    .insertInto('dashboard')
    .values({ organization_id: row.organizationId, title: row.title, created_by_id: row.createdById })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateDashboardTitle(tx: DashboardTx, dashboardId: string, title: string): Promise<void> {
  await tx.updateTable('dashboard').set({ title }).where('id', '=', dashboardId).execute();
}

export async function saveDashboardFilters(tx: DashboardTx, dashboardId: string, filters: StoredFilters): Promise<void> {
  await tx.updateTable('dashboard').set({ filters: json(filters) }).where('id', '=', dashboardId).execute();
}

export async function deleteWidgets(tx: DashboardTx, dashboardId: string, widgetIds: readonly string[]): Promise<void> {
  if (widgetIds.length === 0) return;
  await tx.deleteFrom('dashboard_widget').where('dashboard_id', '=', dashboardId).where('id', 'in', widgetIds).execute();
}

function widgetColumns(values: WidgetValues) {
  return {
    order: values.order,
    title: values.title,
    description: values.description,
    thresholds: json(values.thresholds),
    interval: values.interval,
    display_type: values.display_type,
    widget_type: values.widget_type,
    limit: values.limit,
    detail: json(values.detail),
    discover_widget_split: values.discover_widget_split,
    dataset_source: values.dataset_source,
  };
}

export async function insertWidget(tx: DashboardTx, dashboardId: string, values: WidgetValues): Promise<string> {
  const row = await tx
    .insertInto('dashboard_widget')
    .values({ dashboard_id: dashboardId, ...widgetColumns(values) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateWidget(tx: DashboardTx, widgetId: string, values: WidgetValues): Promise<void> {
  await tx.updateTable('dashboard_widget').set(widgetColumns(values)).where('id', '=', widgetId).execute();
}

/** Deletes the widget's queries whose id is not kept (all of them when none is). */
export async function deleteQueriesExcept(tx: DashboardTx, widgetId: string, keepQueryIds: readonly string[]): Promise<void> {
  let query = tx.deleteFrom('dashboard_widget_query').where('widget_id', '=', widgetId);
  if (keepQueryIds.length > 0) query = query.where('id', 'not in', keepQueryIds);
  await query.execute();
}

function queryColumns(values: QueryValues) {
  return {
    order: values.order,
    name: values.name,
    fields: values.fields,
    conditions: values.conditions,
    aggregates: values.aggregates,
    columns: values.columns,
    field_aliases: values.field_aliases,
    orderby: values.orderby,
    is_hidden: values.is_hidden,
    selected_aggregate: values.selected_aggregate,
  };
}

export async function insertQueries(tx: DashboardTx, widgetId: string, queries: readonly QueryValues[]): Promise<void> {
  if (queries.length === 0) return;
  await tx
    .insertInto('dashboard_widget_query')
    .values(queries.map((q) => ({ widget_id: widgetId, ...queryColumns(q) })))
    .execute();
}

export async function updateQuery(tx: DashboardTx, queryId: string, values: QueryValues): Promise<void> {
  await tx.updateTable('dashboard_widget_query').set(queryColumns(values)).where('id', '=', queryId).execute();
}

export async function replaceDashboardProjects(tx: DashboardTx, dashboardId: string, projectIds: readonly string[]): Promise<void> {
  await tx.deleteFrom('dashboard_project').where('dashboard_id', '=', dashboardId).execute();
  if (projectIds.length === 0) return;
  await tx
    .insertInto('dashboard_project')
    .values(projectIds.map((projectId) => ({ dashboard_id: dashboardId, project_id: projectId })))
    .execute();
}

/** Upserts the permissions row and replaces its team links with `teamIds`. */
export async function savePermissions(
  tx: DashboardTx,
  dashboardId: string,
  permissions: { isEditableByEveryone: boolean; teamIds: readonly string[] },
): Promise<void> {
  const row = await tx
    .insertInto('dashboard_permissions')
    .values({ dashboard_id: dashboardId, is_editable_by_everyone: permissions.isEditableByEveryone })
    .onConflict((oc) => oc.column('dashboard_id').doUpdateSet({ is_editable_by_everyone: permissions.isEditableByEveryone }))
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.deleteFrom('dashboard_permissions_team').where('permissions_id', '=', row.id).execute();
  if (permissions.teamIds.length === 0) return;
  await tx
    .insertInto('dashboard_permissions_team')
    .values(permissions.teamIds.map((teamId) => ({ permissions_id: row.id, team_id: teamId })))
    .execute();
}

/** Get-or-create: a tombstone that exists already is fine. */
export async function insertTombstone(tx: DashboardTx, organizationId: string, slug: string): Promise<void> {
  await tx
    .insertInto('dashboard_tombstone')
    .values({ organization_id: organizationId, slug })
    .onConflict((oc) => oc.columns(['organization_id', 'slug']).doNothing())
    .execute();
}

export async function deleteDashboard(tx: DashboardTx, dashboardId: string): Promise<void> {
  await tx.deleteFrom('dashboard').where('id', '=', dashboardId).execute();
}
