import type { ColumnType, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * Kysely table types for migration 0002 (users, membership, teams, dashboards). Kept apart from `Database` until the
 * two are merged; dashboard code uses `DashboardDb`, which sees both.
 */
type GeneratedId = ColumnType<string, never, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb in, parsed JSON out; written as a JSON string so pg never turns an array into a Postgres array. */
type JsonColumn<T> = ColumnType<T, string | null | undefined, string | null>;
/** text[]: pg parses it into a string array and serialises a JS array as an array literal. */
type TextArray = ColumnType<string[], string[] | undefined, string[]>;
type NullableTextArray = ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export type OrganizationRole = 'member' | 'admin' | 'manager' | 'owner';

export interface AppUserTable {
  id: GeneratedId;
  username: string;
  name: WithDefault<string>;
  email: WithDefault<string>;
  is_active: WithDefault<boolean>;
  is_superuser: WithDefault<boolean>;
  date_joined: Timestamp;
}

export interface UserEmailTable {
  id: GeneratedId;
  user_id: string;
  email: string;
  is_verified: WithDefault<boolean>;
}

export interface OrganizationMemberTable {
  id: GeneratedId;
  organization_id: string;
  user_id: string;
  role: WithDefault<OrganizationRole>;
  date_added: Timestamp;
}

export interface TeamTable {
  id: GeneratedId;
  organization_id: string;
  slug: string;
  name: string;
  date_added: Timestamp;
}

export interface OrganizationMemberTeamTable {
  id: GeneratedId;
  organization_member_id: string;
  team_id: string;
}

export interface DashboardTable {
  id: GeneratedId;
  organization_id: string;
  title: string;
  created_by_id: string | null;
  date_added: Timestamp;
  visits: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  last_visited: NullableTimestamp;
  filters: JsonColumn<Record<string, unknown> | null>;
}

export interface DashboardWidgetTable {
  id: GeneratedId;
  dashboard_id: string;
  order: number;
  title: string;
  description: string | null;
  thresholds: JsonColumn<unknown>;
  interval: string | null;
  display_type: number;
  date_added: Timestamp;
  widget_type: number | null;
  limit: number | null;
  detail: JsonColumn<{ layout?: Record<string, number> | null } | null>;
  discover_widget_split: number | null;
  dataset_source: WithDefault<number>;
}

export interface DashboardWidgetQueryTable {
  id: GeneratedId;
  widget_id: string;
  name: string;
  fields: TextArray;
  conditions: string;
  aggregates: NullableTextArray;
  columns: NullableTextArray;
  field_aliases: NullableTextArray;
  orderby: WithDefault<string>;
  order: number;
  date_added: Timestamp;
  date_modified: Timestamp;
  is_hidden: WithDefault<boolean>;
  selected_aggregate: number | null;
}

export interface DashboardProjectTable {
  id: GeneratedId;
  project_id: string;
  dashboard_id: string;
}

export interface DashboardPermissionsTable {
  id: GeneratedId;
  dashboard_id: string;
  is_editable_by_everyone: WithDefault<boolean>;
}

export interface DashboardPermissionsTeamTable {
  id: GeneratedId;
  permissions_id: string;
  team_id: string;
}

export interface DashboardTombstoneTable {
  id: GeneratedId;
  organization_id: string;
  slug: string;
  date_added: Timestamp;
}

/** Migration 0007: one row per applied dashboard PUT (see reconcileReceipts.ts). */
export interface DashboardReconcileReceiptTable {
  request_id: string;
  organization_id: string;
  dashboard_id: string;
  date_added: Timestamp;
}

export interface DashboardDatabase {
  app_user: AppUserTable;
  user_email: UserEmailTable;
  organization_member: OrganizationMemberTable;
  team: TeamTable;
  organization_member_team: OrganizationMemberTeamTable;
  dashboard: DashboardTable;
  dashboard_widget: DashboardWidgetTable;
  dashboard_widget_query: DashboardWidgetQueryTable;
  dashboard_project: DashboardProjectTable;
  dashboard_permissions: DashboardPermissionsTable;
  dashboard_permissions_team: DashboardPermissionsTeamTable;
  dashboard_tombstone: DashboardTombstoneTable;
  dashboard_reconcile_receipt: DashboardReconcileReceiptTable;
}

/** The database as dashboard code sees it: core tables plus 0002's. */
export type DashboardDb = Kysely<Database & DashboardDatabase>;
export type DashboardTx = Transaction<Database & DashboardDatabase>;

/** `Db` and `DashboardDb` share one pool; only the compile-time table list differs. */
export function asDashboardDb(db: Kysely<Database>): DashboardDb {
  return db as unknown as DashboardDb;
}

export type AppUserRow = Selectable<AppUserTable>;
export type DashboardRow = Selectable<DashboardTable>;
export type DashboardWidgetRow = Selectable<DashboardWidgetTable>;
export type DashboardWidgetQueryRow = Selectable<DashboardWidgetQueryTable>;
