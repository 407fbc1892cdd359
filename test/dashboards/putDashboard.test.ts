import { sql } from 'kysely';
import { type Harness, startHarness } from './harness.js';
import { type FixtureF, type World, seedFixtureF, seedWorld, storedQueries, storedWidgets } from './world.js';

// PUT /dashboards/{id}/ through HTTP: fastify inject -> validation -> queue -> dashboard worker -> Postgres.
// Scenario numbers are those of reference A.8.

let h: Harness;
let world: World;
let f: FixtureF;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

beforeEach(async () => {
  world = await seedWorld(h.db);
  h.organizations.set(world.org.slug, world.org);
  h.organizations.set(world.otherOrg.slug, world.otherOrg);
  f = await seedFixtureF(h.db, world);
});

const url = (id: string) => `/api/0/organizations/${world.org.slug}/dashboards/${id}/`;
const put = (body: unknown, as: { user?: string | null; superuser?: boolean } = { user: world.users.creator }, id = f.dashboardId) =>
  h.request('PUT', url(id), as, body);
const validQuery = { name: 'Errors', fields: ['count()', 'project'], columns: ['project'], aggregates: ['count()'], conditions: 'event.type:error' };
const newWidget = (over: Record<string, unknown> = {}) => ({ title: 'Errors per project', displayType: 'table', interval: '5m', queries: [validQuery], ...over });
const allFour = () => [{ id: f.w1 }, { id: f.w2 }, { id: f.w3 }, { id: f.w4 }];

async function title(): Promise<string> {
  return (await h.db.selectFrom('dashboard').select('title').where('id', '=', f.dashboardId).executeTakeFirstOrThrow()).title;
}

async function expectUntouched(): Promise<void> {
  expect(await title()).toBe('Dashboard 1');
  expect((await storedWidgets(h.db, f.dashboardId)).map((w) => [w.id, w.order])).toEqual([[f.w1, 0], [f.w2, 1], [f.w3, 2], [f.w4, 3]]);
  expect((await storedQueries(h.db, f.w1)).map((q) => q.id)).toEqual([f.q11, f.q12]);
}

describe('PUT: resolution and permissions', () => {
  it('1, 39: an unknown or non-numeric dashboard id is a 404', async () => {
    for (const id of ['1234567890', 'nope-not-real']) {
      const res = await put({ title: 'x' }, undefined, id);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ detail: 'The requested resource does not exist' });
    }
  });

  it('a dashboard of another organisation is a 404', async () => {
    const res = await h.request('PUT', `/api/0/organizations/${world.otherOrg.slug}/dashboards/${f.dashboardId}/`, { user: world.users.outsider }, { title: 'x' });
    expect(res.statusCode).toBe(404);
  });

  it('6: with edit access on and no permissions row, a member without teams may edit', async () => {
    const res = await put({ title: 'Dashboard Hello' }, { user: world.users.noTeam });
    expect(res.statusCode).toBe(200);
    expect(await title()).toBe('Dashboard Hello');
  });

  it('7: a permissions row closed to everyone refuses members outside its teams, admits team members and the creator', async () => {
    const creator = await put({ permissions: { isEditableByEveryone: false, teamsWithEditAccess: [world.teams.t2] } });
    expect(creator.statusCode).toBe(200);
    const outsider = await put({ title: 'nope' }, { user: world.users.member });
    expect(outsider.statusCode).toBe(403);
    expect(outsider.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect(await title()).toBe('Dashboard 1');
    expect((await put({ title: 'by team t2' }, { user: world.users.admin })).statusCode).toBe(200);
    expect((await put({ title: 'by creator' })).statusCode).toBe(200);
    expect((await put({ title: 'by manager' }, { user: world.users.manager })).statusCode).toBe(200);
  });

  it('8: a superuser may edit a dashboard closed to everyone', async () => {
    await put({ permissions: { isEditableByEveryone: false } });
    const res = await put({ title: 'New Dashboard 9' }, { user: world.users.superuser });
    expect(res.statusCode).toBe(200);
    expect(res.json().title).toBe('New Dashboard 9');
  });

  it('refuses a user who is not a member of the organisation', async () => {
    expect((await put({ title: 'x' }, { user: world.users.outsider })).statusCode).toBe(403);
  });
});

describe('PUT: title', () => {
  it('3: a title-only body renames and leaves widgets untouched', async () => {
    const res = await put({ title: 'Dashboard Hello' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.title).toBe('Dashboard Hello');
    expect(body.widgets.map((w: { id: string }) => w.id)).toEqual([f.w1, f.w2, f.w3, f.w4]);
    expect((await storedWidgets(h.db, f.dashboardId)).map((w) => w.order)).toEqual([0, 1, 2, 3]);
  });

  it('4: a title used by another dashboard is a 409 and nothing changes', async () => {
    await h.db.insertInto('dashboard').values({ organization_id: world.org.id, title: 'Dashboard 2', created_by_id: world.users.creator }).execute();
    const res = await put({ title: 'Dashboard 2', widgets: [] });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual(['Dashboard with that title already exists.']);
    await expectUntouched();
  });
});

describe('PUT: widgets', () => {
  it('9: keeps W1..W4 at orders 4..7 and creates the new widget at 8 with defaults', async () => {
    const res = await put({ title: 'First dashboard', widgets: [...allFour(), { ...newWidget(), datasetSource: 'user' }] });
    expect(res.statusCode).toBe(200);
    const widgets = await storedWidgets(h.db, f.dashboardId);
    expect(widgets.map((w) => w.order)).toEqual([4, 5, 6, 7, 8]);
    expect(widgets.slice(0, 4).map((w) => w.id)).toEqual([f.w1, f.w2, f.w3, f.w4]);
    const created = await h.db.selectFrom('dashboard_widget').selectAll().where('id', '=', widgets[4]!.id).executeTakeFirstOrThrow();
    expect([created.widget_type, created.dataset_source, created.interval]).toEqual([0, 2, '5m']);
    expect((await storedQueries(h.db, created.id)).map((q) => [q.order, q.name, q.conditions])).toEqual([[0, 'Errors', 'event.type:error']]);
    expect(res.json().widgets.map((w: { title: string }) => w.title)).toEqual(['Widget 1', 'Widget 2', 'Widget 3', 'Widget 4', 'Errors per project']);
    // widgets sent by id alone keep their queries
    expect((await storedQueries(h.db, f.w1)).map((q) => q.id)).toEqual([f.q11, f.q12]);
  });

  it('10: a lone new widget replaces W1..W4 and keeps its field aliases', async () => {
    const res = await put({ widgets: [newWidget({ queries: [{ fields: [], aggregates: ['count()'], columns: ['project'], fieldAliases: ['Errors quantity'], conditions: '' }] })] });
    expect(res.statusCode).toBe(200);
    const widgets = await storedWidgets(h.db, f.dashboardId);
    expect(widgets).toHaveLength(1);
    expect((await storedQueries(h.db, widgets[0]!.id))[0]?.field_aliases).toEqual(['Errors quantity']);
    expect(res.json().widgets[0].queries[0].fieldAliases).toEqual(['Errors quantity']);
  });

  it('11, 12: big number widgets keep selectedAggregate and equations; interval defaults to 5m', async () => {
    const res = await put({ widgets: [
      { title: 'EPM', displayType: 'big_number', queries: [{ fields: ['epm()'], aggregates: ['epm()', 'count()'], selectedAggregate: 1, conditions: '', orderby: '' }] },
      { title: 'Equation', displayType: 'big_number', queries: [{ fields: ['equation|count()'], aggregates: ['count()', 'equation|count()*2'], conditions: '' }] },
    ] });
    expect(res.statusCode).toBe(200);
    const [epm, equation] = res.json().widgets;
    expect([epm.interval, epm.queries[0].selectedAggregate]).toEqual(['5m', 1]);
    expect(equation.queries[0].aggregates).toEqual(['count()', 'equation|count()*2']);
  });

  it('13: unknown widget keys are ignored', async () => {
    const res = await put({ widgets: [...allFour().map((w) => ({ ...w, columns: [], aggregates: [] })), newWidget()] });
    expect(res.statusCode).toBe(200);
    expect(res.json().widgets).toHaveLength(5);
  });

  it('15: limits null and 10 are stored', async () => {
    const res = await put({ widgets: [newWidget({ limit: null }), newWidget({ title: 'second', limit: 10 })] });
    expect(res.statusCode).toBe(200);
    expect(res.json().widgets.map((w: { limit: number | null }) => w.limit)).toEqual([null, 10]);
  });

  it('23: one new title, orders 4..7', async () => {
    const res = await put({ widgets: [{ id: f.w1, title: 'New title' }, { id: f.w2 }, { id: f.w3 }, { id: f.w4 }] });
    expect(res.statusCode).toBe(200);
    expect((await storedWidgets(h.db, f.dashboardId)).map((w) => [w.order, w.title])).toEqual([[4, 'New title'], [5, 'Widget 2'], [6, 'Widget 3'], [7, 'Widget 4']]);
  });

  it('25: updating Q11 alone deletes Q12 and W2..W4', async () => {
    const res = await put({ widgets: [{ id: f.w1, queries: [{ id: f.q11, name: 'transactions', fields: ['count()'], aggregates: ['count()'], conditions: 'event.type:transaction' }] }] });
    expect(res.statusCode).toBe(200);
    expect((await storedWidgets(h.db, f.dashboardId)).map((w) => w.id)).toEqual([f.w1]);
    const queries = await storedQueries(h.db, f.w1);
    expect(queries.map((q) => [q.id, q.order, q.name, q.conditions, q.fields])).toEqual([[f.q11, 1, 'transactions', 'event.type:transaction', ['count()']]]);
    expect(queries[0]?.field_aliases).toEqual(['Count Alias']);
  });

  it('32: two widgets with new titles; the others are deleted', async () => {
    const res = await put({ widgets: [{ id: f.w1, title: 'New title' }, { id: f.w2, title: 'Other title' }] });
    expect(res.statusCode).toBe(200);
    expect((await storedWidgets(h.db, f.dashboardId)).map((w) => [w.id, w.title])).toEqual([[f.w1, 'New title'], [f.w2, 'Other title']]);
  });

  it('34, 37: layouts are stored and answered as sent, minus unknown keys', async () => {
    const layouts = [{ x: 0, y: 0, w: 2, h: 5, minH: 2 }, { x: 2, y: 0, w: 1, h: 1, minH: 2 }, { x: 3, y: 0, w: 2, h: 2, minH: 2 }, { x: 0, y: 5, w: 1, h: 1, minH: 2 }];
    const res = await put({ widgets: allFour().map((w, i) => ({ ...w, layout: { ...layouts[i], i: 'grid-item', static: false, moved: false } })) });
    expect(res.statusCode).toBe(200);
    expect(res.json().widgets.map((w: { layout: unknown }) => w.layout)).toEqual(layouts);
    const row = await h.db.selectFrom('dashboard_widget').select('detail').where('id', '=', f.w1).executeTakeFirstOrThrow();
    expect(row.detail).toEqual({ layout: layouts[0] });
  });

  it('43, 46, 47, 65: issue, metrics, custom-metrics and discover widgets are stored as given', async () => {
    const res = await put({ widgets: [
      newWidget({ widgetType: 'issue', queries: [{ ...validQuery, conditions: 'is:unresolved' }] }),
      newWidget({ title: 'issue 2', widgetType: 'issue', queries: [{ ...validQuery, conditions: 'is:unresolved' }] }),
      newWidget({ title: 'discover', widgetType: 'discover', queries: [{ fields: ['count()', 'total.count'], columns: ['total.count'], aggregates: ['count()'], conditions: '' }] }),
      newWidget({ title: 'discover 2', widgetType: 'discover' }),
      newWidget({ title: 'release health', widgetType: 'metrics' }),
      newWidget({ title: '', widgetType: 'custom-metrics' }),
    ] });
    expect(res.statusCode).toBe(200);
    expect(res.json().widgets.map((w: { widgetType: string }) => w.widgetType)).toEqual(['issue', 'issue', 'discover', 'discover', 'metrics', 'custom-metrics']);
    expect(res.json().widgets[0].queries[0].onDemand).toEqual([]);
  });

  it('53: an environment in the query string does not hinder validation', async () => {
    const res = await h.request('PUT', `${url(f.dashboardId)}?environment=mock_env`, { user: world.users.creator }, { widgets: [newWidget({ queries: [{ ...validQuery, conditions: 'release.stage:adopted' }] })] });
    expect(res.statusCode).toBe(200);
  });

  it('an empty widgets list deletes every widget and its queries', async () => {
    expect((await put({ widgets: [] })).statusCode).toBe(200);
    expect(await storedWidgets(h.db, f.dashboardId)).toEqual([]);
    expect(await h.db.selectFrom('dashboard_widget_query').select('id').where('id', 'in', [f.q11, f.q12, f.q21]).execute()).toEqual([]);
  });
});

describe('PUT: a widget or query sent twice is written as row by row', () => {
  const nextId = async (table: string) =>
    String((await sql<{ id: string }>`SELECT nextval(pg_get_serial_sequence(${table}, 'id'))::text AS id`.execute(h.db)).rows[0]?.id);
  const plus = (id: string, n: number) => String(BigInt(id) + BigInt(n));

  it('the second update of a widget sees the first: its queries created by the first are replaced, ids drawn in step order', async () => {
    const queryBase = await nextId('dashboard_widget_query');
    const widgetBase = await nextId('dashboard_widget');
    const res = await put({ widgets: [
      { id: f.w1, title: 'first', interval: '1h', queries: [{ id: f.q11, name: 'a' }, { id: f.q11, name: 'b' }, { ...validQuery, name: 'x' }] },
      newWidget({ title: 'new' }),
      { id: f.w1, title: 'second', queries: [{ id: f.q11 }, { ...validQuery, name: 'y' }] },
    ] });
    expect(res.statusCode).toBe(200);
    expect((await storedWidgets(h.db, f.dashboardId)).map((w) => [w.id, w.order, w.title])).toEqual([[plus(widgetBase, 1), 2, 'new'], [f.w1, 3, 'second']]);
    const w1 = await h.db.selectFrom('dashboard_widget').select('interval').where('id', '=', f.w1).executeTakeFirstOrThrow();
    expect(w1.interval).toBe('1h');
    // x (S+1) was created by the first update and deleted by the second; the new widget's query is S+2, y is S+3
    expect((await storedQueries(h.db, f.w1)).map((q) => [q.id, q.order, q.name])).toEqual([[f.q11, 3, 'b'], [plus(queryBase, 3), 4, 'y']]);
    expect((await storedQueries(h.db, plus(widgetBase, 1))).map((q) => [q.id, q.order])).toEqual([[plus(queryBase, 2), 0]]);
  });
});

describe('PUT: ids that are not this dashboard\'s roll everything back', () => {
  it('a widget of another dashboard is a 400 array body; title and deletions are rolled back', async () => {
    const other = await seedFixtureF(h.db, world, 'Dashboard 2');
    const res = await put({ title: 'changed', widgets: [{ id: f.w1 }, { id: other.w1 }] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(['You cannot update widgets that are not part of this dashboard.']);
    await expectUntouched();
  });

  it('a query of another widget is a 400 array body and nothing is written', async () => {
    const res = await put({ title: 'changed', widgets: [{ id: f.w1, title: 'x', queries: [{ id: f.q11 }, { id: f.q21 }] }] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(['You cannot use a query not owned by this widget']);
    await expectUntouched();
  });
});

describe('PUT on the prebuilt dashboard', () => {
  it('38: forks default-overview into a new dashboard and tombstones it', async () => {
    const res = await put({ title: 'First dashboard', widgets: [{ title: 'New title', displayType: 'line', queries: [validQuery] }] }, undefined, 'default-overview');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.id).not.toBe('default-overview');
    expect(body.widgets).toHaveLength(1);
    expect(body.widgets[0].queries).toHaveLength(1);
    expect(body.createdBy.id).toBe(world.users.creator);
    const tombstones = await h.db.selectFrom('dashboard_tombstone').select('slug').where('organization_id', '=', world.org.id).execute();
    expect(tombstones).toEqual([{ slug: 'default-overview' }]);
    expect((await storedWidgets(h.db, body.id)).map((w) => w.order)).toEqual([1]);
  });

  it('a fork needs a title', async () => {
    const res = await put({ widgets: [] }, undefined, 'default-overview');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ title: ['This field is required.'] });
  });
});
