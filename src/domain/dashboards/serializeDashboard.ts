import { DEFAULT_INTERVAL, datasetSourceName, displayTypeName, widgetTypeName } from './constants.js';
import type { StoredFilters, StoredQuery, StoredWidget } from './stored.js';

/** Everything the response needs, loaded by the use case; ids are decimal strings. */
export interface DashboardView {
  id: string;
  title: string;
  dateAdded: Date;
  createdBy: UserView | null;
  filters: StoredFilters | null;
  widgets: WidgetView[];
  projectIds: string[];
  permissions: { isEditableByEveryone: boolean; teamIds: string[] } | null;
}

export type WidgetView = StoredWidget & { dateAdded: Date };

export interface UserView {
  id: string;
  username: string;
  name: string;
  email: string;
  isActive: boolean;
  isSuperuser: boolean;
  dateJoined: Date;
  emails: { id: string; email: string; isVerified: boolean }[];
}

export interface SerializeOptions {
  now: Date;
  /** event retention in days; null (self-hosted default) means start is never moved and nothing expires */
  retentionDays: number | null;
}

/** Sentry's API dates: UTC, microseconds, "Z" (ours carry milliseconds, so the last three digits are 0). */
export function formatApiDate(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Python's datetime.isoformat() of a UTC datetime: the filters' start and end come back in this form. */
export function formatPythonIsoDate(date: Date): string {
  const [whole = '', ms = '000'] = date.toISOString().replace('Z', '').split('.');
  return ms === '000' ? `${whole}+00:00` : `${whole}.${ms}000+00:00`;
}

const toNumber = (id: string): number => Number(id);
const byNumber = (a: number, b: number): number => a - b;

/** The dashboard details response (reference A.5). */
export function serializeDashboard(view: DashboardView, options: SerializeOptions): Record<string, unknown> {
  const filters = view.filters ?? {};
  const out: Record<string, unknown> = {
    id: view.id,
    title: view.title,
    dateCreated: formatApiDate(view.dateAdded),
    createdBy: view.createdBy ? serializeUser(view.createdBy) : null,
    widgets: [...view.widgets].sort((a, b) => a.order - b.order).map((w) => serializeWidget(w, view.id)),
    projects: filters.all_projects ? [-1] : view.projectIds.map(toNumber).sort(byNumber),
    filters: serializeReleaseFilters(filters),
    permissions: view.permissions
      ? {
          isEditableByEveryone: view.permissions.isEditableByEveryone,
          teamsWithEditAccess: view.permissions.teamIds.map(toNumber).sort(byNumber),
        }
      : null,
    isFavorited: false,
  };
  for (const key of ['environment', 'period', 'utc'] as const) {
    if (filters[key] !== null && filters[key] !== undefined) out[key] = filters[key];
  }
  if (filters.start && filters.end) Object.assign(out, serializeDateRange(String(filters.start), String(filters.end), options));
  return out;
}

function serializeReleaseFilters(filters: StoredFilters): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (isTruthy(filters.release)) out.release = filters.release;
  if (isTruthy(filters.release_id)) out.releaseId = filters.release_id;
  return out;
}

function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && value !== undefined && value !== '' && value !== false && value !== 0;
}

/** A stored start before the retention window is moved up to it, and the range is reported as expired. */
function serializeDateRange(start: string, end: string, options: SerializeOptions) {
  let startDate = new Date(start);
  let expired = false;
  if (options.retentionDays !== null) {
    const boundary = new Date(options.now.getTime() - options.retentionDays * 86_400_000);
    if (startDate < boundary) {
      startDate = boundary;
      expired = true;
    }
  }
  return { start: formatPythonIsoDate(startDate), end: formatPythonIsoDate(new Date(end)), expired };
}

export function serializeWidget(widget: WidgetView, dashboardId: string): Record<string, unknown> {
  return {
    id: widget.id,
    title: widget.title,
    description: widget.description,
    displayType: displayTypeName(widget.display_type),
    thresholds: widget.thresholds ?? null,
    interval: widget.interval || DEFAULT_INTERVAL,
    dateCreated: formatApiDate(widget.dateAdded),
    dashboardId,
    queries: [...widget.queries].sort((a, b) => a.order - b.order).map((q) => serializeQuery(q, widget.id)),
    limit: widget.limit,
    widgetType: widgetTypeName(widget.widget_type),
    layout: widget.detail?.layout ?? null,
    datasetSource: datasetSourceName(widget.dataset_source),
  };
}

export function serializeQuery(query: StoredQuery, widgetId: string): Record<string, unknown> {
  return {
    id: query.id,
    name: query.name,
    fields: query.fields,
    aggregates: query.aggregates ?? [],
    columns: query.columns ?? [],
    fieldAliases: query.field_aliases ?? [],
    conditions: query.conditions,
    orderby: query.orderby,
    widgetId,
    // On-demand metrics are not ported: no extraction state rows exist.
    onDemand: [],
    isHidden: query.is_hidden,
    selectedAggregate: query.selected_aggregate,
  };
}

/** A subset of Sentry's user serializer: what a dashboard's creator needs. */
export function serializeUser(user: UserView): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name || user.email || user.username,
    username: user.username,
    email: user.email,
    isActive: user.isActive,
    isSuperuser: user.isSuperuser,
    dateJoined: formatApiDate(user.dateJoined),
    emails: user.emails.map((e) => ({ id: e.id, email: e.email, is_verified: e.isVerified })),
    avatar: { avatarType: 'letter_avatar', avatarUuid: null },
  };
}

/** One entry of the dashboards list (Sentry's DashboardListSerializer, trimmed). */
export function serializeDashboardListItem(view: DashboardView): Record<string, unknown> {
  const widgets = [...view.widgets].sort((a, b) => a.order - b.order);
  return {
    id: view.id,
    title: view.title,
    dateCreated: formatApiDate(view.dateAdded),
    createdBy: view.createdBy ? serializeUser(view.createdBy) : null,
    widgetDisplay: widgets.map((w) => displayTypeName(w.display_type)),
    widgetPreview: widgets.map((w) => ({ displayType: displayTypeName(w.display_type), layout: w.detail?.layout ?? null })),
    permissions: view.permissions
      ? { isEditableByEveryone: view.permissions.isEditableByEveryone, teamsWithEditAccess: view.permissions.teamIds.map(toNumber).sort(byNumber) }
      : null,
    isFavorited: false,
  };
}
