import { sql } from 'kysely';
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

/** One multi-row INSERT; answers the new ids by order (orders are unique in a dashboard). Ids are drawn in row order. */
export async function insertWidgets(tx: DashboardTx, dashboardId: string, widgets: readonly WidgetValues[]): Promise<Map<number, string>> {
  if (widgets.length === 0) return new Map();
  const rows = await tx
    .insertInto('dashboard_widget')
    .values(widgets.map((values) => ({ dashboard_id: dashboardId, ...widgetColumns(values) })))
    .returning(['id', 'order'])
    .execute();
  return new Map(rows.map((row) => [row.order, row.id]));
}

/** Column types of the widget columns an update writes, for `jsonb_to_recordset`. */
const WIDGET_COLUMN_TYPES: Record<keyof WidgetValues, string> = {
  order: 'integer',
  title: 'text',
  description: 'text',
  thresholds: 'jsonb',
  interval: 'text',
  display_type: 'integer',
  widget_type: 'integer',
  limit: 'integer',
  detail: 'jsonb',
  discover_widget_split: 'integer',
  dataset_source: 'integer',
};

const QUERY_COLUMN_TYPES: Record<keyof QueryValues, string> = {
  order: 'integer',
  name: 'text',
  fields: 'text[]',
  conditions: 'text',
  aggregates: 'text[]',
  columns: 'text[]',
  field_aliases: 'text[]',
  orderby: 'text',
  is_hidden: 'boolean',
  selected_aggregate: 'integer',
};

/**
 * Sets every listed column of each row from one JSON array (one parameter however many rows), in one UPDATE.
 * JSON null becomes SQL NULL, as `json()` writes it for the single-row statements.
 */
async function updateRows(tx: DashboardTx, table: 'dashboard_widget' | 'dashboard_widget_query', types: Record<string, string>, rows: { id: string; values: object }[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(types);
  const set = sql.join(columns.map((c) => sql`${sql.id(c)} = v.${sql.id(c)}`));
  const record = sql.join([sql`id bigint`, ...columns.map((c) => sql`${sql.id(c)} ${sql.raw(types[c] ?? 'text')}`)]);
  const payload = JSON.stringify(rows.map((row) => ({ ...row.values, id: row.id })));
  await sql`UPDATE ${sql.table(table)} AS t SET ${set} FROM jsonb_to_recordset(${payload}::jsonb) AS v(${record}) WHERE t.id = v.id`.execute(tx);
}

/** Updates widgets in one statement; each id appears once. */
export async function updateWidgets(tx: DashboardTx, updates: readonly { widgetId: string; values: WidgetValues }[]): Promise<void> {
  await updateRows(tx, 'dashboard_widget', WIDGET_COLUMN_TYPES, updates.map((u) => ({ id: u.widgetId, values: u.values })));
}

/** Deletes, per widget, the queries whose id is not kept (all of them when none is), in one statement. */
export async function deleteQueriesExcept(tx: DashboardTx, widgets: readonly { widgetId: string; keepQueryIds: readonly string[] }[]): Promise<void> {
  if (widgets.length === 0) return;
  // A kept id is always one of its own widget's queries (the plan fails otherwise), so one union of kept ids
  // decides for every widget.
  const keep = widgets.flatMap((w) => w.keepQueryIds);
  let query = tx.deleteFrom('dashboard_widget_query').where('widget_id', 'in', widgets.map((w) => w.widgetId));
  if (keep.length > 0) query = query.where('id', 'not in', keep);
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

/** Rows per INSERT: 11 parameters a row stays far below Postgres's 65,535 parameters per statement. */
const QUERY_INSERT_ROWS = 1000;

/** Multi-row INSERTs of queries, ids drawn in the order given. */
export async function insertQueries(tx: DashboardTx, queries: readonly { widgetId: string; values: QueryValues }[]): Promise<void> {
  for (let at = 0; at < queries.length; at += QUERY_INSERT_ROWS) {
    await tx
      .insertInto('dashboard_widget_query')
      .values(queries.slice(at, at + QUERY_INSERT_ROWS).map((q) => ({ widget_id: q.widgetId, ...queryColumns(q.values) })))
      .execute();
  }
}

/** Updates queries in one statement; each id appears once. */
export async function updateQueries(tx: DashboardTx, updates: readonly { queryId: string; values: QueryValues }[]): Promise<void> {
  await updateRows(tx, 'dashboard_widget_query', QUERY_COLUMN_TYPES, updates.map((u) => ({ id: u.queryId, values: u.values })));
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
