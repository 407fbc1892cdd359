import type { DashboardView, UserView, WidgetView } from '../../domain/dashboards/serializeDashboard.js';
import type { StoredQuery, WidgetDetail } from '../../domain/dashboards/stored.js';
import type { DashboardDb, DashboardRow, DashboardTx, DashboardWidgetQueryRow, DashboardWidgetRow } from './dashboardSchema.js';

/** A dashboard of the organisation, or undefined. `dashboardId` must already be a valid bigint id. */
export async function findDashboard(db: DashboardDb, organizationId: string, dashboardId: string): Promise<DashboardRow | undefined> {
  return db
    .selectFrom('dashboard')
    .selectAll()
    .where('id', '=', dashboardId)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
}

/**
 * Locks the dashboard row for the rest of the transaction: every reconcile of one dashboard runs under this lock,
 * so concurrent updates serialise and never interleave their widget writes.
 */
export async function lockDashboard(tx: DashboardTx, organizationId: string, dashboardId: string): Promise<DashboardRow | undefined> {
  return tx
    .selectFrom('dashboard')
    .selectAll()
    .where('id', '=', dashboardId)
    .where('organization_id', '=', organizationId)
    .forUpdate()
    .executeTakeFirst();
}

function toStoredQuery(row: DashboardWidgetQueryRow): StoredQuery {
  return {
    id: row.id,
    order: row.order,
    name: row.name,
    fields: row.fields,
    conditions: row.conditions,
    aggregates: row.aggregates,
    columns: row.columns,
    field_aliases: row.field_aliases,
    orderby: row.orderby,
    is_hidden: row.is_hidden,
    selected_aggregate: row.selected_aggregate,
  };
}

function toWidgetView(row: DashboardWidgetRow, queries: StoredQuery[]): WidgetView {
  return {
    id: row.id,
    order: row.order,
    title: row.title,
    description: row.description,
    thresholds: row.thresholds,
    interval: row.interval,
    display_type: row.display_type,
    widget_type: row.widget_type,
    limit: row.limit,
    detail: row.detail as WidgetDetail | null,
    discover_widget_split: row.discover_widget_split,
    dataset_source: row.dataset_source,
    queries,
    dateAdded: row.date_added,
  };
}

/** Widgets of the given dashboards with their queries, each list in order. */
export async function loadWidgets(db: DashboardDb, dashboardIds: readonly string[]): Promise<Map<string, WidgetView[]>> {
  const byDashboard = new Map<string, WidgetView[]>(dashboardIds.map((id) => [id, []]));
  if (dashboardIds.length === 0) return byDashboard;
  const widgets = await db.selectFrom('dashboard_widget').selectAll().where('dashboard_id', 'in', dashboardIds).orderBy('order').execute();
  const queries = widgets.length === 0
    ? []
    : await db.selectFrom('dashboard_widget_query').selectAll().where('widget_id', 'in', widgets.map((w) => w.id)).orderBy('order').execute();
  const queriesByWidget = new Map<string, StoredQuery[]>();
  for (const query of queries) {
    const list = queriesByWidget.get(query.widget_id) ?? [];
    list.push(toStoredQuery(query));
    queriesByWidget.set(query.widget_id, list);
  }
  for (const widget of widgets) byDashboard.get(widget.dashboard_id)?.push(toWidgetView(widget, queriesByWidget.get(widget.id) ?? []));
  return byDashboard;
}

export async function loadProjectIds(db: DashboardDb, dashboardId: string): Promise<string[]> {
  const rows = await db.selectFrom('dashboard_project').select('project_id').where('dashboard_id', '=', dashboardId).execute();
  return rows.map((r) => r.project_id);
}

export type PermissionsView = { isEditableByEveryone: boolean; teamIds: string[] };

export async function loadPermissions(db: DashboardDb, dashboardIds: readonly string[]): Promise<Map<string, PermissionsView>> {
  const out = new Map<string, PermissionsView>();
  if (dashboardIds.length === 0) return out;
  const rows = await db
    .selectFrom('dashboard_permissions as p')
    .leftJoin('dashboard_permissions_team as t', 't.permissions_id', 'p.id')
    .select(['p.dashboard_id', 'p.is_editable_by_everyone', 't.team_id'])
    .where('p.dashboard_id', 'in', dashboardIds)
    .execute();
  for (const row of rows) {
    const view = out.get(row.dashboard_id) ?? { isEditableByEveryone: row.is_editable_by_everyone, teamIds: [] };
    if (row.team_id !== null) view.teamIds.push(row.team_id);
    out.set(row.dashboard_id, view);
  }
  return out;
}

export async function loadUsers(db: DashboardDb, userIds: readonly string[]): Promise<Map<string, UserView>> {
  const ids = [...new Set(userIds)];
  const out = new Map<string, UserView>();
  if (ids.length === 0) return out;
  const users = await db.selectFrom('app_user').selectAll().where('id', 'in', ids).execute();
  const emails = await db.selectFrom('user_email').selectAll().where('user_id', 'in', ids).orderBy('id').execute();
  for (const u of users) {
    out.set(u.id, {
      id: u.id,
      username: u.username,
      name: u.name,
      email: u.email,
      isActive: u.is_active,
      isSuperuser: u.is_superuser,
      dateJoined: u.date_joined,
      emails: emails.filter((e) => e.user_id === u.id).map((e) => ({ id: e.id, email: e.email, isVerified: e.is_verified })),
    });
  }
  return out;
}

/** Everything the details response needs, for one dashboard row. */
export async function loadDashboardView(db: DashboardDb, row: DashboardRow): Promise<DashboardView> {
  const [widgets, projectIds, permissions, users] = await Promise.all([
    loadWidgets(db, [row.id]),
    loadProjectIds(db, row.id),
    loadPermissions(db, [row.id]),
    loadUsers(db, row.created_by_id ? [row.created_by_id] : []),
  ]);
  return {
    id: row.id,
    title: row.title,
    dateAdded: row.date_added,
    createdBy: row.created_by_id ? (users.get(row.created_by_id) ?? null) : null,
    filters: row.filters,
    widgets: widgets.get(row.id) ?? [],
    projectIds,
    permissions: permissions.get(row.id) ?? null,
  };
}

export async function tombstoneExists(db: DashboardDb, organizationId: string, slug: string): Promise<boolean> {
  const row = await db
    .selectFrom('dashboard_tombstone')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('slug', '=', slug)
    .executeTakeFirst();
  return row !== undefined;
}
