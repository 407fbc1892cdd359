import { DATASET_SOURCES, DEFAULT_INTERVAL, DISCOVER_LIKE_WIDGET_TYPES, WIDGET_TYPES } from './constants.js';
import type { ValidatedQuery, ValidatedWidget } from './model.js';
import type { QueryValues, StoredWidget, WidgetValues } from './stored.js';

export type QueryStep =
  | { kind: 'update'; queryId: string; values: QueryValues }
  | { kind: 'create'; values: QueryValues };

/**
 * The queries of an updated widget. The executor deletes the widget's queries whose id is not in `keepQueryIds`
 * (`deleteQueryIds` lists the stored ones that go), then applies `steps` in order.
 */
export interface QueryPlan {
  keepQueryIds: string[];
  deleteQueryIds: string[];
  steps: QueryStep[];
}

export type WidgetStep =
  | { kind: 'update'; widgetId: string; values: WidgetValues; queries: QueryPlan | null }
  | { kind: 'create'; values: WidgetValues; queries: QueryValues[] };

export interface WidgetsPlan {
  deleteWidgetIds: string[];
  steps: WidgetStep[];
}

export type PlanFailure = 'widget_not_in_dashboard' | 'query_not_in_widget';
export type WidgetsPlanResult = { ok: true; plan: WidgetsPlan } | { ok: false; failure: PlanFailure };

/**
 * The reference's order numbering: one above the highest remaining order; an empty set, or a highest order of 0,
 * starts at 1 (Sentry tests the maximum for truthiness). Kept and new rows get `next + index`, strictly above every
 * order still stored, so row-by-row writes never collide on the unique (parent, order) constraint.
 */
export function nextOrder(orders: readonly number[]): number {
  const max = orders.length > 0 ? Math.max(...orders) : null;
  return max === null || max === 0 ? 1 : max + 1;
}

/** A simulated query: stored ones keep their id; ones created earlier in this plan have none yet. */
interface SimQuery {
  id: string | null;
  values: QueryValues;
}

/**
 * Plans the widgets of A.3 step 2 (an input `widgets` list, possibly empty). Widgets are simulated in memory so a
 * widget id sent twice behaves as Sentry's row-by-row updates do: the second update sees the first one's result.
 */
export function planWidgets(current: readonly StoredWidget[], input: readonly ValidatedWidget[]): WidgetsPlanResult {
  const requestedIds = new Set(input.flatMap((w) => (w.id === undefined ? [] : [w.id])));
  const kept = new Map(current.filter((w) => requestedIds.has(w.id)).map((w) => [w.id, simulate(w)]));
  const deleteWidgetIds = current.filter((w) => !requestedIds.has(w.id)).map((w) => w.id);
  const base = nextOrder([...kept.values()].map((w) => w.values.order));
  const steps: WidgetStep[] = [];
  for (const [index, widget] of input.entries()) {
    const order = base + index;
    if (widget.id === undefined) {
      steps.push({ kind: 'create', values: newWidgetValues(widget, order), queries: newQueries(widget.queries ?? []) });
      continue;
    }
    const sim = kept.get(widget.id);
    if (!sim) return { ok: false, failure: 'widget_not_in_dashboard' };
    sim.values = updatedWidgetValues(sim.values, widget, order);
    let queries: QueryPlan | null = null;
    if (widget.queries !== undefined) {
      const planned = planQueries(sim.queries, widget.queries);
      if (!planned) return { ok: false, failure: 'query_not_in_widget' };
      [queries, sim.queries] = planned;
    }
    steps.push({ kind: 'update', widgetId: widget.id, values: { ...sim.values }, queries });
  }
  return { ok: true, plan: { deleteWidgetIds, steps } };
}

function simulate(widget: StoredWidget): { values: WidgetValues; queries: SimQuery[] } {
  const { id: _id, queries, detail, ...columns } = widget;
  return {
    values: { ...columns, detail: { layout: detail?.layout ?? null } },
    queries: queries.map(({ id, ...values }) => ({ id, values })),
  };
}

/** A.3.3: delete the queries not sent, then update the sent ones and create the new ones above the remaining max. */
function planQueries(current: SimQuery[], input: readonly ValidatedQuery[]): [QueryPlan, SimQuery[]] | null {
  const requestedIds = new Set(input.flatMap((q) => (q.id === undefined ? [] : [q.id])));
  const remaining = current.filter((q) => q.id !== null && requestedIds.has(q.id));
  const deleteQueryIds = current.flatMap((q) => (q.id !== null && !requestedIds.has(q.id) ? [q.id] : []));
  const byId = new Map(remaining.map((q) => [q.id as string, q]));
  const base = nextOrder(remaining.map((q) => q.values.order));
  const steps: QueryStep[] = [];
  const created: SimQuery[] = [];
  for (const [index, query] of input.entries()) {
    const order = base + index;
    if (query.id === undefined) {
      const values = newQueryValues(query, order);
      steps.push({ kind: 'create', values });
      created.push({ id: null, values });
      continue;
    }
    const sim = byId.get(query.id);
    if (!sim) return null;
    sim.values = updatedQueryValues(sim.values, query, order);
    steps.push({ kind: 'update', queryId: query.id, values: { ...sim.values } });
  }
  return [{ keepQueryIds: [...requestedIds], deleteQueryIds, steps }, [...remaining, ...created]];
}

/** A.3.1 defaults: interval 5m, widget type discover, dataset source user, detail always an object. */
function newWidgetValues(widget: ValidatedWidget, order: number): WidgetValues {
  return {
    order,
    title: widget.title ?? '',
    description: widget.description ?? null,
    thresholds: widget.thresholds ?? null,
    interval: widget.interval ?? DEFAULT_INTERVAL,
    display_type: widget.display_type ?? 0,
    widget_type: widget.widget_type ?? WIDGET_TYPES.discover,
    limit: widget.limit ?? null,
    detail: { layout: widget.layout ?? null },
    discover_widget_split: widget.discover_widget_split ?? null,
    dataset_source: widget.dataset_source ?? DATASET_SOURCES.user,
  };
}

/** A.3.2: each sent key replaces the stored value; detail keeps only the layout; non-Discover types reset. */
function updatedWidgetValues(previous: WidgetValues, widget: ValidatedWidget, order: number): WidgetValues {
  const pick = <K extends keyof ValidatedWidget & keyof WidgetValues>(key: K) =>
    (widget[key] !== undefined ? widget[key] : previous[key]) as WidgetValues[K];
  const next: WidgetValues = {
    order,
    title: pick('title'),
    description: pick('description'),
    thresholds: pick('thresholds'),
    interval: pick('interval'),
    display_type: pick('display_type'),
    widget_type: pick('widget_type'),
    limit: pick('limit'),
    detail: { layout: widget.layout !== undefined ? widget.layout : (previous.detail.layout ?? null) },
    discover_widget_split: pick('discover_widget_split'),
    dataset_source: pick('dataset_source'),
  };
  if (next.widget_type === null || !DISCOVER_LIKE_WIDGET_TYPES.has(next.widget_type)) {
    next.discover_widget_split = null;
    next.dataset_source = DATASET_SOURCES.unknown;
  }
  return next;
}

/** A new widget's queries are numbered by their index (no offset); ids sent with them are ignored. */
function newQueries(queries: readonly ValidatedQuery[]): QueryValues[] {
  return queries.map((query, index) => newQueryValues(query, index));
}

function newQueryValues(query: ValidatedQuery, order: number): QueryValues {
  return {
    order,
    name: query.name ?? '',
    fields: query.fields ?? [],
    conditions: query.conditions ?? '',
    aggregates: query.aggregates ?? null,
    columns: query.columns ?? null,
    field_aliases: query.field_aliases ?? null,
    orderby: query.orderby ?? '',
    is_hidden: query.is_hidden ?? false,
    selected_aggregate: query.selected_aggregate ?? null,
  };
}

function updatedQueryValues(previous: QueryValues, query: ValidatedQuery, order: number): QueryValues {
  const pick = <K extends keyof ValidatedQuery & keyof QueryValues>(key: K) =>
    (query[key] !== undefined ? query[key] : previous[key]) as QueryValues[K];
  return {
    order,
    name: pick('name'),
    fields: pick('fields'),
    conditions: pick('conditions'),
    aggregates: pick('aggregates'),
    columns: pick('columns'),
    field_aliases: pick('field_aliases'),
    orderby: pick('orderby'),
    is_hidden: pick('is_hidden'),
    selected_aggregate: pick('selected_aggregate'),
  };
}
