import { ALL_ACCESS_PROJECTS } from './constants.js';
import type { ValidatedDashboard, ValidatedPermissions } from './model.js';
import { type PlanFailure, type WidgetsPlan, planWidgets } from './planWidgets.js';
import type { DashboardState, StoredFilters } from './stored.js';

/** `keep`: projects untouched; `all`: every project (rows removed, filters.all_projects); `set`: exactly these. */
export type ProjectsPlan = { kind: 'keep' } | { kind: 'all' } | { kind: 'set'; projectIds: string[] };

export interface PermissionsPlan {
  isEditableByEveryone: boolean;
  /** the complete new set of teams with edit access (empty when editable by everyone) */
  teamIds: string[];
}

export interface ReconcilePlan {
  title: string;
  /** null: the request had no `widgets` key, widgets are left alone */
  widgets: WidgetsPlan | null;
  projects: ProjectsPlan;
  /** null: stored filters are left alone; otherwise they are replaced entirely */
  filters: StoredFilters | null;
  /** null: permissions are left alone */
  permissions: PermissionsPlan | null;
}

export type ReconcilePlanResult = { ok: true; plan: ReconcilePlan } | { ok: false; failure: PlanFailure };

/**
 * The reconcile planner: the locked dashboard's state and a validated request in, every write out (reference A.3,
 * in its order: title, widgets with their queries, filters and projects, permissions). Pure; the executor applies
 * the plan in one transaction. A widget or query id that is not this dashboard's fails the whole plan.
 * For a new dashboard (POST, prebuilt fork) pass an empty state: orders then start at 1.
 */
export function planReconcile(current: DashboardState, request: ValidatedDashboard): ReconcilePlanResult {
  let widgets: WidgetsPlan | null = null;
  if (request.widgets !== undefined) {
    const planned = planWidgets(current.widgets, request.widgets);
    if (!planned.ok) return planned;
    widgets = planned.plan;
  }
  const { projects, filters } = planFilters(current.filters, request);
  return {
    ok: true,
    plan: {
      title: request.title ?? current.title,
      widgets,
      projects,
      filters,
      permissions: request.permissions ? planPermissions(request.permissions) : null,
    },
  };
}

const COPIED_FILTER_KEYS = ['environment', 'period', 'start', 'end', 'utc'] as const;

/**
 * A.3 step 3. Any filter key sent replaces the whole stored filters object (a PUT with only `period` drops the
 * stored environment and release: Sentry's behaviour, kept); sending none leaves filters and projects alone.
 */
function planFilters(stored: StoredFilters | null, request: ValidatedDashboard): { projects: ProjectsPlan; filters: StoredFilters | null } {
  const filters: StoredFilters = {};
  let projects: ProjectsPlan = { kind: 'keep' };
  if (request.projects !== undefined) {
    const ids = [...new Set(request.projects)];
    if (ids.length === 1 && ids[0] === ALL_ACCESS_PROJECTS) {
      filters.all_projects = true;
      projects = { kind: 'all' };
    } else {
      if (stored?.all_projects) filters.all_projects = false;
      projects = { kind: 'set', projectIds: ids };
    }
  }
  for (const key of COPIED_FILTER_KEYS) {
    const value = request[key];
    if (value !== undefined) filters[key] = value instanceof Date ? value.toISOString() : value;
  }
  if (request.filters?.release !== undefined) filters.release = request.filters.release;
  if (request.filters?.release_id !== undefined) filters.release_id = request.filters.release_id;
  return { projects, filters: Object.keys(filters).length > 0 ? filters : null };
}

/** A.3 step 4: team links are cleared when the dashboard is editable by everyone or no team is given. */
function planPermissions(permissions: ValidatedPermissions): PermissionsPlan {
  const clearTeams = permissions.is_editable_by_everyone || permissions.teams_with_edit_access.length === 0;
  return {
    isEditableByEveryone: permissions.is_editable_by_everyone,
    teamIds: clearTeams ? [] : [...permissions.teams_with_edit_access],
  };
}
