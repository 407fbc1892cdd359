import type { QueryValues, WidgetValues } from './stored.js';
import type { WidgetStep } from './planWidgets.js';

/** A created widget and its queries; `order` is unique in the batch, so it finds the widget's new id. */
export interface WidgetCreate {
  values: WidgetValues;
  queries: QueryValues[];
}

/** A new query of a stored widget (an updated one). */
export interface QueryCreate {
  widgetId: string;
  values: QueryValues;
}

/**
 * The writes of consecutive widget steps, grouped by statement. Applied in this order they leave the rows, their
 * orders and their ids (identity values are drawn in step order) as applying the steps one by one would:
 * - `deleteQueries`: per updated widget that was sent queries, the query ids it keeps (the others go);
 * - `createWidgets`, `updateWidgets`: one row each, in step order;
 * - `updateQueries`: one row per query, the values of its last update (a query id sent twice in one widget is
 *   updated twice, and each update writes every column);
 * - `createQueries`: the new queries, in step order, of created widgets (`widgetOrder`) and of updated ones.
 */
export interface WidgetStepBatch {
  deleteQueries: { widgetId: string; keepQueryIds: string[] }[];
  createWidgets: WidgetValues[];
  updateWidgets: { widgetId: string; values: WidgetValues }[];
  updateQueries: { queryId: string; values: QueryValues }[];
  createQueries: ({ widgetOrder: number; values: QueryValues } | QueryCreate)[];
}

/**
 * Cuts the planned widget steps into batches in which no widget is updated twice, so each batch can be written in
 * a handful of set-based statements. A widget sent twice starts a new batch: its second update then sees the first
 * one's rows (its queries created by the first are deleted by the second, as Sentry's row-by-row writes do).
 * Orders in the plan are distinct and above every stored order, so no statement of a batch can collide on the
 * unique (parent, order) constraints, whatever the row order inside it.
 */
export function widgetStepBatches(steps: readonly WidgetStep[]): WidgetStepBatch[] {
  const batches: WidgetStepBatch[] = [];
  let batch = emptyBatch();
  let updated = new Set<string>();
  let queryAt = new Map<string, number>();
  for (const step of steps) {
    if (step.kind === 'create') {
      batch.createWidgets.push(step.values);
      for (const values of step.queries) batch.createQueries.push({ widgetOrder: step.values.order, values });
      continue;
    }
    if (updated.has(step.widgetId)) {
      batches.push(batch);
      batch = emptyBatch();
      updated = new Set();
      queryAt = new Map();
    }
    updated.add(step.widgetId);
    batch.updateWidgets.push({ widgetId: step.widgetId, values: step.values });
    if (!step.queries) continue;
    batch.deleteQueries.push({ widgetId: step.widgetId, keepQueryIds: step.queries.keepQueryIds });
    for (const query of step.queries.steps) {
      if (query.kind === 'update') {
        const at = queryAt.get(query.queryId);
        if (at === undefined) queryAt.set(query.queryId, batch.updateQueries.push({ queryId: query.queryId, values: query.values }) - 1);
        else batch.updateQueries[at] = { queryId: query.queryId, values: query.values };
      } else batch.createQueries.push({ widgetId: step.widgetId, values: query.values });
    }
  }
  if (steps.length > 0) batches.push(batch);
  return batches;
}

function emptyBatch(): WidgetStepBatch {
  return { deleteQueries: [], createWidgets: [], updateWidgets: [], updateQueries: [], createQueries: [] };
}
