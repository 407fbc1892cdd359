/**
 * The validated dashboard request. Keys are the snake_case wire names (after camelCase conversion), which are also
 * the column names. A key that is absent (undefined) was not sent; `null` was sent as null. That difference is the
 * reference's "present" semantics (A.3.2) and must survive validation.
 */
export interface Layout {
  x?: number;
  y?: number;
  w?: number;
  h?: number;
  minH?: number;
}

export interface ValidatedQuery {
  id?: string;
  fields?: string[];
  aggregates?: string[] | null;
  columns?: string[] | null;
  field_aliases?: string[] | null;
  name?: string;
  conditions?: string;
  orderby?: string;
  is_hidden?: boolean;
  on_demand_extraction?: Record<string, unknown>;
  on_demand_extraction_disabled?: boolean;
  selected_aggregate?: number | null;
}

export interface ValidatedWidget {
  id?: string;
  title?: string;
  description?: string | null;
  thresholds?: Record<string, unknown> | null;
  display_type?: number;
  interval?: string;
  queries?: ValidatedQuery[];
  widget_type?: number;
  limit?: number | null;
  layout?: Layout | null;
  dataset_source?: number;
  /** derived: error-events / transaction-like widgets remember their split (A.2.2 rule 4) */
  discover_widget_split?: number;
}

export interface ValidatedPermissions {
  is_editable_by_everyone: boolean;
  teams_with_edit_access: string[];
}

export interface ValidatedDashboardFilters {
  release?: unknown;
  release_id?: unknown;
}

export interface ValidatedDashboard {
  id?: string;
  title?: string;
  widgets?: ValidatedWidget[];
  /** decimal project ids; ['-1'] means all projects */
  projects?: string[];
  environment?: string[] | null;
  period?: string | null;
  start?: Date | null;
  end?: Date | null;
  utc?: boolean;
  filters?: ValidatedDashboardFilters;
  permissions?: ValidatedPermissions | null;
}

/** What validation needs to know about the world; the use case loads it (only the ids the body mentions). */
export interface DashboardValidationContext {
  /** the dashboard being updated; null when creating (POST, or forking the prebuilt dashboard) */
  existing: { createdById: string | null } | null;
  actor: DashboardActor;
  /** projects of the organisation the actor may use (at least every id the body mentions that is accessible) */
  accessibleProjectIds: ReadonlySet<string>;
  /** teams of the organisation (at least every id the body mentions that exists in it) */
  organizationTeamIds: ReadonlySet<string>;
  /** POST and prebuilt forks create a dashboard: title is required */
  titleRequired: boolean;
}

/**
 * Who acts. `hasOrgWrite` is Sentry's `org:write` scope: managers, owners, superusers, and organisation tokens that
 * act for no user (a trusted service).
 */
export interface DashboardActor {
  userId: string | null;
  hasOrgWrite: boolean;
}
