import { Job } from 'bullmq';
import { createRedis } from '../../src/adapters/redis/connect.js';
import { silentLogger } from '../../src/logging/logger.js';
import { closeDashboardWorker, createDashboardWorker } from '../../src/workers/dashboards/createDashboardWorker.js';
import { TEST_REDIS_URL } from '../support/database.js';
import { type Harness, startHarness } from './harness.js';
import { type FixtureF, type World, seedFixtureF, seedWorld, storedWidgets } from './world.js';

// GET, POST and DELETE, the dashboards list, and a PUT that outlasts its wait (202).

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
  f = await seedFixtureF(h.db, world);
});

const base = () => `/api/0/organizations/${world.org.slug}/dashboards/`;
const creator = () => ({ user: world.users.creator });
const validQuery = { name: 'q', fields: ['count()'], aggregates: ['count()'], columns: [], conditions: '' };
const API_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe('GET /dashboards/{id}/', () => {
  it('serializes fixture F as the reference describes', async () => {
    const res = await h.request('GET', `${base()}${f.dashboardId}/`, creator());
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id: f.dashboardId, title: 'Dashboard 1', projects: [], filters: {}, permissions: null, isFavorited: false });
    expect(body.dateCreated).toMatch(API_DATE);
    expect(body.createdBy).toMatchObject({ id: world.users.creator, email: expect.stringContaining('@example.com'), isActive: true });
    expect(body.widgets.map((w: { id: string }) => w.id)).toEqual([f.w1, f.w2, f.w3, f.w4]);
    const [w1, w2, w3] = body.widgets;
    expect(w1).toMatchObject({ title: 'Widget 1', displayType: 'line', interval: '1d', widgetType: 'discover', datasetSource: 'unknown', dashboardId: f.dashboardId, limit: null, layout: { x: 0, y: 0, w: 1, h: 1, minH: 2 }, thresholds: null, description: null });
    expect(w1.queries).toEqual([
      { id: f.q11, name: 'Anonymous Users', fields: ['count()'], aggregates: ['count()'], columns: [], fieldAliases: ['Count Alias'], conditions: '!has:user.email', orderby: '', widgetId: f.w1, onDemand: [], isHidden: false, selectedAggregate: null },
      expect.objectContaining({ id: f.q12, name: 'Known Users', fieldAliases: [] }),
    ]);
    expect([w2.displayType, w2.limit]).toEqual(['table', 5]);
    expect([w3.interval, w3.layout]).toEqual(['5m', null]);
    expect(body.environment).toBeUndefined();
  });

  it('answers the prebuilt dashboard, and 404 for unknown ids', async () => {
    const prebuilt = await h.request('GET', `${base()}default-overview/`, creator());
    expect(prebuilt.statusCode).toBe(200);
    expect(prebuilt.json()).toMatchObject({ id: 'default-overview', title: 'General' });
    expect((await h.request('GET', `${base()}123456789/`, creator())).statusCode).toBe(404);
    expect((await h.request('GET', `${base()}nope/`, creator())).json()).toEqual({ detail: 'The requested resource does not exist' });
  });

  it('is readable by any member, even when edit access is closed', async () => {
    await h.request('PUT', `${base()}${f.dashboardId}/`, creator(), { permissions: { isEditableByEveryone: false } });
    expect((await h.request('GET', `${base()}${f.dashboardId}/`, { user: world.users.noTeam })).statusCode).toBe(200);
  });

  it('answers the stored date range and the filter keys that are set', async () => {
    await h.request('PUT', `${base()}${f.dashboardId}/`, creator(), { start: '2024-01-01T00:00:00Z', end: '2024-01-02T12:30:00.250Z', utc: true, environment: ['prod'] });
    const body = (await h.request('GET', `${base()}${f.dashboardId}/`, creator())).json();
    expect([body.start, body.end, body.expired, body.utc, body.environment]).toEqual(['2024-01-01T00:00:00+00:00', '2024-01-02T12:30:00.250000+00:00', false, true, ['prod']]);
    expect(body.period).toBeUndefined();
  });
});

describe('POST /dashboards/', () => {
  it('creates a dashboard with widgets numbered from 1 and answers 201', async () => {
    const res = await h.request('POST', base(), creator(), { title: 'Created', widgets: [{ title: 'a', displayType: 'line', queries: [validQuery, validQuery] }, { title: 'b', displayType: 'bar', queries: [validQuery] }], projects: [Number(world.projects.p1)] });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect([body.title, body.createdBy.id, body.projects]).toEqual(['Created', world.users.creator, [Number(world.projects.p1)]]);
    expect((await storedWidgets(h.db, body.id)).map((w) => [w.title, w.order])).toEqual([['a', 1], ['b', 2]]);
    expect(body.widgets[0].queries).toHaveLength(2);
  });

  it('requires a title, validates widgets, and answers a title clash with 409', async () => {
    expect((await h.request('POST', base(), creator(), {})).json()).toEqual({ title: ['This field is required.'] });
    const invalid = await h.request('POST', base(), creator(), { title: 'x', widgets: [{ title: 'w', displayType: 'line', queries: [] }] });
    expect([invalid.statusCode, invalid.json()]).toEqual([400, { widgets: [{ queries: ['One or more queries are required to create a widget'] }] }]);
    const clash = await h.request('POST', base(), creator(), { title: 'Dashboard 1' });
    expect([clash.statusCode, clash.json()]).toEqual([409, 'Dashboard title already taken']);
  });

  it('an organisation token creates a dashboard without a creator', async () => {
    const res = await h.request('POST', base(), { user: null }, { title: 'By token' });
    expect([res.statusCode, res.json().createdBy]).toEqual([201, null]);
  });
});

describe('DELETE /dashboards/{id}/', () => {
  it('deletes the dashboard with its widgets and queries', async () => {
    const res = await h.request('DELETE', `${base()}${f.dashboardId}/`, creator());
    expect(res.statusCode).toBe(204);
    expect(await h.db.selectFrom('dashboard').select('id').where('id', '=', f.dashboardId).execute()).toEqual([]);
    expect(await h.db.selectFrom('dashboard_widget_query').select('id').where('id', '=', f.q11).execute()).toEqual([]);
  });

  it('refuses a member without edit access', async () => {
    await h.request('PUT', `${base()}${f.dashboardId}/`, creator(), { permissions: { isEditableByEveryone: false } });
    expect((await h.request('DELETE', `${base()}${f.dashboardId}/`, { user: world.users.member })).statusCode).toBe(403);
  });

  it('tombstones the prebuilt dashboard, and keeps the last dashboard of the organisation', async () => {
    expect((await h.request('DELETE', `${base()}default-overview/`, creator())).statusCode).toBe(204);
    const last = await h.request('DELETE', `${base()}${f.dashboardId}/`, creator());
    expect([last.statusCode, last.json()]).toEqual([409, ['Cannot delete last Dashboard.']]);
    expect((await h.request('DELETE', `${base()}987654/`, creator())).statusCode).toBe(404);
  });
});

describe('GET /dashboards/', () => {
  it('lists the prebuilt dashboard first, then dashboards by title, filtered by query', async () => {
    await seedFixtureF(h.db, world, 'Alpha board');
    const titles = (await h.request('GET', base(), creator())).json().map((d: { title: string }) => d.title);
    expect(titles).toEqual(['General', 'Alpha board', 'Dashboard 1']);
    const filtered = (await h.request('GET', `${base()}?query=ALPHA`, creator())).json();
    expect(filtered.map((d: { title: string }) => d.title)).toEqual(['Alpha board']);
    const item = (await h.request('GET', base(), creator())).json()[2];
    expect(item).toMatchObject({ id: f.dashboardId, widgetDisplay: ['line', 'table', 'line', 'line'], isFavorited: false });
    expect(item.widgetPreview[0]).toEqual({ displayType: 'line', layout: { x: 0, y: 0, w: 1, h: 1, minH: 2 } });
  });

  it('pages with Sentry cursors and Link headers, and hides a tombstoned prebuilt dashboard', async () => {
    await seedFixtureF(h.db, world, 'Beta');
    const first = await h.request('GET', `${base()}?per_page=2`, creator());
    expect(first.json().map((d: { title: string }) => d.title)).toEqual(['General', 'Beta']);
    expect(first.headers.link).toContain('rel="next"; results="true"; cursor="0:2:0"');
    const second = await h.request('GET', `${base()}?per_page=2&cursor=0:2:0`, creator());
    expect(second.json().map((d: { title: string }) => d.title)).toEqual(['Dashboard 1']);
    expect(second.headers.link).toContain('rel="next"; results="false"');
    await h.request('DELETE', `${base()}default-overview/`, creator());
    expect((await h.request('GET', base(), creator())).json().map((d: { title: string }) => d.title)).toEqual(['Beta', 'Dashboard 1']);
  });
});

describe('PUT that outlasts its wait', () => {
  let slow: Harness;

  beforeAll(async () => {
    slow = await startHarness({ worker: false, putWaitMs: 300 });
  });

  afterAll(async () => {
    await slow.close();
  });

  it('answers 202 with the job id; the job completes once a worker runs', async () => {
    const w = await seedWorld(slow.db);
    slow.organizations.set(w.org.slug, w.org);
    const fx = await seedFixtureF(slow.db, w);
    const res = await slow.request('PUT', `/api/0/organizations/${w.org.slug}/dashboards/${fx.dashboardId}/`, { user: w.users.creator }, { title: 'Later' });
    expect(res.statusCode).toBe(202);
    const { jobId } = res.json();
    const job = await Job.fromId(slow.queue, jobId);
    expect(job?.data).toMatchObject({ organizationId: w.org.id, dashboardId: fx.dashboardId, actorUserId: w.users.creator, body: { title: 'Later' } });
    const connection = createRedis(TEST_REDIS_URL, { forBullWorker: true });
    const worker = createDashboardWorker({ connection, prefix: slow.prefix, concurrency: 1, deps: { db: slow.db }, logger: silentLogger });
    try {
      const result = await job!.waitUntilFinished(slow.queueEvents, 10_000);
      expect(result.title).toBe('Later');
    } finally {
      await closeDashboardWorker(worker);
      await connection.quit();
    }
  });
});
