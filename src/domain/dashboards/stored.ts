import type { Layout } from './model.js';

/** A dashboard as stored, in the shape the planner and the serializer read (column names, ids as strings). */
export interface StoredQuery {
  id: string;
  order: number;
  name: string;
  fields: string[];
  conditions: string;
  aggregates: string[] | null;
  columns: string[] | null;
  field_aliases: string[] | null;
  orderby: string;
  is_hidden: boolean;
  selected_aggregate: number | null;
}

export interface WidgetDetail {
  layout?: Layout | null;
}

export interface StoredWidget {
  id: string;
  order: number;
  title: string;
  description: string | null;
  thresholds: unknown;
  interval: string | null;
  display_type: number;
  widget_type: number | null;
  limit: number | null;
  detail: WidgetDetail | null;
  discover_widget_split: number | null;
  dataset_source: number;
  queries: StoredQuery[];
}

export type StoredFilters = Record<string, unknown>;

/** What a reconcile starts from: the locked dashboard's title, filters and widgets with their queries. */
export interface DashboardState {
  title: string;
  filters: StoredFilters | null;
  widgets: StoredWidget[];
}

/** Column values of a widget row, as the plan writes them. */
export type WidgetValues = Omit<StoredWidget, 'id' | 'queries' | 'detail'> & { detail: { layout: Layout | null } };
/** Column values of a query row, as the plan writes them. */
export type QueryValues = Omit<StoredQuery, 'id'>;
