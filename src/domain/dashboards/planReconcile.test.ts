import type { DashboardValidationContext, ValidatedDashboard } from './model.js';
import { planReconcile, type ReconcilePlan } from './planReconcile.js';
import { nextOrder, type WidgetStep } from './planWidgets.js';
import type { DashboardState, StoredQuery, StoredWidget } from './stored.js';
import { validateDashboard } from './validateDashboard.js';

// Fixture F of reference A.8: W1..W4 at orders 0..3; Q11, Q12 on W1; Q21 on W2.
function storedQuery(id: string, order: number, over: Partial<StoredQuery> = {}): StoredQuery {
  return { id, order, name: '', fields: ['count()'], conditions: '', aggregates: ['count()'], columns: [], field_aliases: null, orderby: '', is_hidden: false, selected_aggregate: null, ...over };
}

function storedWidget(id: string, order: number, over: Partial<StoredWidget> = {}): StoredWidget {
  return { id, order, title: `Widget ${id}`, description: null, thresholds: null, interval: null, display_type: 0, widget_type: 0, limit: null, detail: null, discover_widget_split: null, dataset_source: 0, queries: [], ...over };
}

function fixtureF(): DashboardState {
  return {
    title: 'Dashboard 1',
    filters: null,
    widgets: [
      storedWidget('1', 0, { title: 'Widget 1', interval: '1d', detail: { layout: { x: 0, y: 0, w: 1, h: 1, minH: 2 } }, queries: [
        storedQuery('11', 0, { name: 'Anonymous Users', field_aliases: ['Count Alias'], conditions: '!has:user.email' }),
        storedQuery('12', 1, { name: 'Known Users', fields: ['count_unique(user.email)'], aggregates: ['count_unique(user.email)'], conditions: 'has:user.email' }),
      ] }),
      storedWidget('2', 1, { title: 'Widget 2', display_type: 4, interval: '1d', limit: 5, detail: { layout: { x: 1, y: 0, w: 1, h: 1, minH: 2 } }, queries: [
        storedQuery('21', 0, { name: 'Errors by Geo', fields: ['count()', 'geo.country_code'], columns: ['geo.country_code'], conditions: 'has:geo.country_code' }),
      ] }),
      storedWidget('3', 2, { title: 'Widget 3' }),
      storedWidget('4', 3, { title: 'Widget 4' }),
    ],
  };
}

const ctx: DashboardValidationContext = {
  existing: { createdById: '7' },
  actor: { userId: '7', hasOrgWrite: false },
  accessibleProjectIds: new Set(['101', '102']),
  organizationTeamIds: new Set(['11', '12']),
  titleRequired: false,
};

/** Validates a wire body exactly as the use case does, then plans it. */
function request(body: unknown): ValidatedDashboard {
  const result = validateDashboard(body, ctx);
  if (!result.ok) throw new Error(`invalid body: ${JSON.stringify(result.body)}`);
  return result.value;
}

function plan(body: unknown, state = fixtureF()): ReconcilePlan {
  const result = planReconcile(state, request(body));
  if (!result.ok) throw new Error(`plan failed: ${result.failure}`);
  return result.plan;
}

const ids = (...list: string[]) => list.map((id) => ({ id }));
const orders = (steps: WidgetStep[]) => steps.map((s) => (s.kind === 'update' ? [s.widgetId, s.values.order] : ['new', s.values.order]));
const validQuery = { name: 'Errors', fields: ['count()', 'project'], columns: ['project'], aggregates: ['count()'], conditions: 'event.type:error' };

describe('nextOrder', () => {
  it('is max + 1, and 1 for no rows or a maximum of 0', () => {
    expect(nextOrder([])).toBe(1);
    expect(nextOrder([0])).toBe(1);
    expect(nextOrder([0, 1, 2, 3])).toBe(4);
    expect(nextOrder([7, 5])).toBe(8);
  });
});

describe('planReconcile', () => {
  it('scenario 3: a title-only body changes the title and leaves widgets, filters and permissions alone', () => {
    expect(plan({ title: 'Dashboard Hello' })).toEqual({ title: 'Dashboard Hello', widgets: null, projects: { kind: 'keep' }, filters: null, permissions: null });
  });

  it('scenario 9: kept widgets move to 4..7 and the new one gets 8 with the creation defaults', () => {
    const p = plan({
      title: 'First dashboard',
      widgets: [...ids('1', '2', '3', '4'), { title: 'Errors per project', displayType: 'table', interval: '5m', queries: [validQuery], datasetSource: 'user' }],
    });
    expect(p.title).toBe('First dashboard');
    expect(p.widgets?.deleteWidgetIds).toEqual([]);
    expect(orders(p.widgets!.steps)).toEqual([['1', 4], ['2', 5], ['3', 6], ['4', 7], ['new', 8]]);
    const created = p.widgets!.steps[4]!;
    expect(created.kind).toBe('create');
    if (created.kind !== 'create') return;
    expect(created.values).toMatchObject({ widget_type: 0, dataset_source: 2, interval: '5m', display_type: 4, detail: { layout: null } });
    expect(created.queries).toEqual([{ order: 0, name: 'Errors', fields: ['count()', 'project'], conditions: 'event.type:error', aggregates: ['count()'], columns: ['project'], field_aliases: null, orderby: '', is_hidden: false, selected_aggregate: null }]);
  });

  it('scenario 9: widgets sent by id only keep their queries and attributes', () => {
    const p = plan({ widgets: ids('1', '2', '3', '4') });
    const w2 = p.widgets!.steps[1]!;
    expect(w2).toMatchObject({ kind: 'update', widgetId: '2', queries: null });
    if (w2.kind === 'update') expect(w2.values).toMatchObject({ title: 'Widget 2', display_type: 4, interval: '1d', limit: 5, detail: { layout: { x: 1, y: 0, w: 1, h: 1, minH: 2 } } });
  });

  it('scenario 10: widgets missing from the request are deleted; a lone new widget starts at order 1', () => {
    const p = plan({ widgets: [{ title: 'Errors', displayType: 'table', queries: [{ fields: [], aggregates: ['count()'], columns: ['project'], fieldAliases: ['Errors quantity'], conditions: '' }] }] });
    expect(p.widgets?.deleteWidgetIds).toEqual(['1', '2', '3', '4']);
    expect(orders(p.widgets!.steps)).toEqual([['new', 1]]);
    const step = p.widgets!.steps[0]!;
    if (step.kind === 'create') expect(step.queries[0]?.field_aliases).toEqual(['Errors quantity']);
  });

  it('an empty widgets list deletes every widget; an absent one deletes none', () => {
    expect(plan({ widgets: [] }).widgets).toEqual({ deleteWidgetIds: ['1', '2', '3', '4'], steps: [] });
    expect(plan({ period: '7d' }).widgets).toBeNull();
  });

  it('scenario 11: selectedAggregate is stored and the interval defaults to 5m', () => {
    const p = plan({ widgets: [{ title: 'EPM', displayType: 'big_number', queries: [{ fields: ['epm()'], aggregates: ['epm()', 'count()'], selectedAggregate: 1, conditions: '', orderby: '' }] }] });
    const step = p.widgets!.steps[0]!;
    if (step.kind !== 'create') throw new Error('expected a create');
    expect(step.values.interval).toBe('5m');
    expect(step.queries[0]?.selected_aggregate).toBe(1);
  });

  it('scenario 15: two new widgets keep limits null and 10', () => {
    const p = plan({ widgets: [{ title: 'a', displayType: 'table', limit: null, queries: [validQuery] }, { title: 'b', displayType: 'table', limit: 10, queries: [validQuery] }] });
    expect(p.widgets!.steps.map((s) => s.values.limit)).toEqual([null, 10]);
  });

  it('scenario 23: updating one title keeps the others and renumbers 4..7', () => {
    const p = plan({ widgets: [{ id: '1', title: 'New title' }, ...ids('2', '3', '4')] });
    expect(orders(p.widgets!.steps)).toEqual([['1', 4], ['2', 5], ['3', 6], ['4', 7]]);
    expect(p.widgets!.steps.map((s) => s.values.title)).toEqual(['New title', 'Widget 2', 'Widget 3', 'Widget 4']);
  });

  it('scenario 25: updating one query deletes the widget\'s other queries and renumbers above the remaining max', () => {
    const p = plan({ widgets: [{ id: '1', queries: [{ id: '11', name: 'transactions', fields: ['count()'], aggregates: ['count()'], conditions: 'event.type:transaction' }] }] });
    expect(p.widgets?.deleteWidgetIds).toEqual(['2', '3', '4']);
    const w1 = p.widgets!.steps[0]!;
    if (w1.kind !== 'update') throw new Error('expected an update');
    expect(w1.queries?.deleteQueryIds).toEqual(['12']);
    expect(w1.queries?.keepQueryIds).toEqual(['11']);
    // remaining Q11 has order 0 -> the quirk gives next order 1
    expect(w1.queries?.steps).toEqual([{ kind: 'update', queryId: '11', values: expect.objectContaining({ order: 1, name: 'transactions', conditions: 'event.type:transaction', field_aliases: ['Count Alias'] }) }]);
  });

  it('queries: kept ones and new ones are numbered after the remaining maximum, in request order', () => {
    const p = plan({ widgets: [{ id: '1', queries: [{ fields: ['a'], conditions: '' }, { id: '12' }, { id: '11' }] }] });
    const w1 = p.widgets!.steps[0]!;
    if (w1.kind !== 'update') throw new Error('expected an update');
    expect(w1.queries?.deleteQueryIds).toEqual([]);
    expect(w1.queries?.steps.map((s) => [s.kind === 'update' ? s.queryId : 'new', s.values.order])).toEqual([['new', 2], ['12', 3], ['11', 4]]);
  });

  it('scenario 32: two widgets with new titles; the rest are deleted', () => {
    const p = plan({ widgets: [{ id: '1', title: 'New title' }, { id: '2', title: 'Other title' }] });
    expect(p.widgets?.deleteWidgetIds).toEqual(['3', '4']);
    expect(p.widgets!.steps.map((s) => [s.values.title, s.values.order])).toEqual([['New title', 2], ['Other title', 3]]);
  });

  it('scenario 34: layouts sent replace the stored ones; a widget without layout keeps its own', () => {
    const layout = { x: 0, y: 0, w: 2, h: 5, minH: 2 };
    const p = plan({ widgets: [{ id: '1', layout }, { id: '2' }, { id: '3', layout: null }] });
    expect(p.widgets!.steps.map((s) => s.values.detail)).toEqual([{ layout }, { layout: { x: 1, y: 0, w: 1, h: 1, minH: 2 } }, { layout: null }]);
  });

  it('a widget id of another dashboard fails the plan; so does a query of another widget', () => {
    expect(planReconcile(fixtureF(), request({ widgets: ids('1', '999') }))).toEqual({ ok: false, failure: 'widget_not_in_dashboard' });
    expect(planReconcile(fixtureF(), request({ widgets: [{ id: '1', queries: [{ id: '21' }] }] }))).toEqual({ ok: false, failure: 'query_not_in_widget' });
  });

  it('applies the update reset rule: non-Discover widget types lose split and dataset source', () => {
    const state = fixtureF();
    state.widgets[0] = { ...state.widgets[0]!, widget_type: 100, discover_widget_split: 100, dataset_source: 2 };
    const p = plan({ widgets: [{ id: '1', widgetType: 'issue' }, { id: '2', widgetType: 'transaction-like' }] }, state);
    expect(p.widgets!.steps.map((s) => [s.values.widget_type, s.values.discover_widget_split, s.values.dataset_source])).toEqual([[1, null, 0], [101, 101, 0]]);
  });

  it('null for nullable attributes counts as sent', () => {
    const p = plan({ widgets: [{ id: '2', limit: null, description: null, thresholds: null }] });
    expect(p.widgets!.steps[0]?.values).toMatchObject({ limit: null, description: null, thresholds: null });
  });

  it('a widget id sent twice is updated twice, the second time on top of the first', () => {
    const p = plan({ widgets: [{ id: '1', title: 'first', interval: '1h' }, { id: '1', title: 'second' }] });
    expect(p.widgets!.steps.map((s) => [s.values.title, s.values.interval, s.values.order])).toEqual([['first', '1h', 1], ['second', '1h', 2]]);
  });

  it('scenario 38 (create): an empty state numbers new widgets from 1 and their queries from 0', () => {
    const p = plan({ title: 'First dashboard', widgets: [{ title: 'New title', displayType: 'line', queries: [validQuery, validQuery] }] }, { title: '', filters: null, widgets: [] });
    expect(orders(p.widgets!.steps)).toEqual([['new', 1]]);
    const step = p.widgets!.steps[0]!;
    if (step.kind === 'create') expect(step.queries.map((q) => q.order)).toEqual([0, 1]);
  });
});

describe('planReconcile: filters, projects and permissions', () => {
  it('scenario 48: projects, environment, period and release replace the stored filters', () => {
    const p = plan({ projects: [101, 102], environment: ['alpha'], period: '7d', filters: { release: ['v1'] } });
    expect(p.projects).toEqual({ kind: 'set', projectIds: ['101', '102'] });
    expect(p.filters).toEqual({ environment: ['alpha'], period: '7d', release: ['v1'] });
  });

  it('scenario 50: [-1] selects all projects', () => {
    const p = plan({ projects: [-1] });
    expect(p.projects).toEqual({ kind: 'all' });
    expect(p.filters).toEqual({ all_projects: true });
  });

  it('leaving all projects records all_projects false', () => {
    const p = plan({ projects: [101] }, { ...fixtureF(), filters: { all_projects: true, period: '14d' } });
    expect(p.filters).toEqual({ all_projects: false });
  });

  it('scenario 63: a body without filter keys keeps projects and filters', () => {
    const p = plan({ title: 'Modified Title' }, { ...fixtureF(), filters: { period: '7d' } });
    expect(p.projects).toEqual({ kind: 'keep' });
    expect(p.filters).toBeNull();
  });

  it('start, end and utc are copied, nulls included', () => {
    const p = plan({ start: '2024-01-01T00:00:00Z', end: '2024-01-02T00:00:00Z', utc: true, period: null });
    expect(p.filters).toEqual({ period: null, start: '2024-01-01T00:00:00.000Z', end: '2024-01-02T00:00:00.000Z', utc: true });
  });

  it('scenarios 54, 58, 61: permissions upsert; teams only when not editable by everyone', () => {
    expect(plan({ permissions: { isEditableByEveryone: 'False' } }).permissions).toEqual({ isEditableByEveryone: false, teamIds: [] });
    expect(plan({ permissions: { isEditableByEveryone: 'false', teamsWithEditAccess: ['11', '12'] } }).permissions).toEqual({ isEditableByEveryone: false, teamIds: ['11', '12'] });
    expect(plan({ permissions: { isEditableByEveryone: true, teamsWithEditAccess: ['11'] } }).permissions).toEqual({ isEditableByEveryone: true, teamIds: [] });
    expect(plan({ permissions: null }).permissions).toBeNull();
  });
});
