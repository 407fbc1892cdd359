import { type Harness, startHarness } from './harness.js';
import { type FixtureF, type World, seedFixtureF, seedWorld, storedQueries, storedWidgets } from './world.js';

// PUT /dashboards/{id}/ through HTTP: the 400/403 answers given before enqueueing, and the filters, projects and
// permissions a PUT stores. Scenario numbers are those of reference A.8.

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

async function title(): Promise<string> {
  return (await h.db.selectFrom('dashboard').select('title').where('id', '=', f.dashboardId).executeTakeFirstOrThrow()).title;
}

async function expectUntouched(): Promise<void> {
  expect(await title()).toBe('Dashboard 1');
  expect((await storedWidgets(h.db, f.dashboardId)).map((w) => [w.id, w.order])).toEqual([[f.w1, 0], [f.w2, 1], [f.w3, 2], [f.w4, 3]]);
  expect((await storedQueries(h.db, f.w1)).map((q) => q.id)).toEqual([f.q11, f.q12]);
}

describe('PUT: validation answers 400 before anything is enqueued', () => {
  const jobIds = async () => (await h.queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])).map((j) => j.id).sort();

  async function expect400(body: unknown, fragment: string): Promise<unknown> {
    const before = await jobIds();
    const res = await put(body);
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain(fragment);
    expect(await jobIds()).toEqual(before);
    await expectUntouched();
    return res.json();
  }

  it('14: a new widget without a title', async () => {
    const body = await expect400({ widgets: [{ id: f.w1 }, { displayType: 'line', interval: '5m', queries: [validQuery] }] }, 'Title is required during creation');
    expect(body).toEqual({ widgets: [{}, { title: ['Title is required during creation.'] }] });
  });

  it('16, 17: limits outside 1..10', async () => {
    await expect400({ widgets: [newWidget({ limit: 11 })] }, 'Ensure this value is less than or equal to 10');
    await expect400({ widgets: [newWidget({ limit: 0 })] }, 'Ensure this value is greater than or equal to 1');
  });

  it('18: a new widget without a display type', async () => {
    await expect400({ widgets: [newWidget({ displayType: undefined })] }, 'displayType is required during creation');
  });

  it('22: an invalid interval', async () => {
    await expect400({ widgets: [newWidget({ interval: '1q' })] }, 'Invalid interval');
  });

  it('35: a layout coordinate that is not a number', async () => {
    const body = await expect400({ widgets: [{ id: f.w1, layout: { x: 'this type is unexpected', y: 0, w: 1, h: 1, minH: 2 } }] }, 'Expected number for: x');
    expect(body).toEqual({ widgets: [{ layout: ['Expected number for: x'] }] });
  });

  it('52: 31 widgets', async () => {
    const widgets = Array.from({ length: 31 }, (_, i) => newWidget({ title: `w${i}` }));
    await expect400({ widgets }, 'Number of widgets must be less than 30');
  });

  it('55: an invalid isEditableByEveryone', async () => {
    const body = await expect400({ permissions: { isEditableByEveryone: 'something-invalid' } }, 'Must be a valid boolean');
    expect(body).toEqual({ permissions: { isEditableByEveryone: ['Must be a valid boolean.'] } });
  });

  it('56: a member who did not create the dashboard may not change edit access', async () => {
    const res = await put({ permissions: { is_editable_by_everyone: false } }, { user: world.users.member });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ nonFieldErrors: ['Only the Dashboard Creator may modify Dashboard Edit Access'] });
  });

  it('60: a team of another organisation', async () => {
    await expect400(
      { permissions: { isEditableByEveryone: false, teamsWithEditAccess: [world.teams.foreign] } },
      `Cannot update dashboard edit permissions. Teams with IDs ${world.teams.foreign} do not exist.`,
    );
  });

  it('49: a project of another organisation is a 403', async () => {
    const res = await put({ projects: [Number(world.projects.foreign)] });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
  });
});

describe('PUT: filters, projects and permissions', () => {
  it('48: projects, environment, period and release', async () => {
    const res = await put({ projects: [Number(world.projects.p2), Number(world.projects.p1)], environment: ['alpha'], period: '7d', filters: { release: ['v1'] } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.projects).toEqual([world.projects.p1, world.projects.p2].map(Number).sort((a, b) => a - b));
    expect([body.environment, body.period, body.filters]).toEqual([['alpha'], '7d', { release: ['v1'] }]);
  });

  it('50: [-1] means all projects', async () => {
    await put({ projects: [Number(world.projects.p1)] });
    const res = await put({ projects: [-1] });
    expect(res.json().projects).toEqual([-1]);
    const row = await h.db.selectFrom('dashboard').select('filters').where('id', '=', f.dashboardId).executeTakeFirstOrThrow();
    expect(row.filters).toEqual({ all_projects: true });
    expect(await h.db.selectFrom('dashboard_project').select('id').where('dashboard_id', '=', f.dashboardId).execute()).toEqual([]);
  });

  it('63: a title change keeps the projects', async () => {
    await put({ projects: [Number(world.projects.p1), Number(world.projects.p2)] });
    const res = await put({ title: 'Modified Title' });
    expect(res.json().projects).toHaveLength(2);
  });

  it('54, 57: the creator and a manager may close a dashboard; the row is created, then updated', async () => {
    for (const word of ['False', 'false']) {
      const res = await put({ permissions: { isEditableByEveryone: word } });
      expect(res.statusCode).toBe(200);
      expect(res.json().permissions).toEqual({ isEditableByEveryone: false, teamsWithEditAccess: [] });
    }
    const byManager = await put({ permissions: { is_editable_by_everyone: true } }, { user: world.users.manager });
    expect(byManager.json().permissions.isEditableByEveryone).toBe(true);
    expect(await h.db.selectFrom('dashboard_permissions').select('id').where('dashboard_id', '=', f.dashboardId).execute()).toHaveLength(1);
  });

  it('58: teams with edit access', async () => {
    const res = await put({ permissions: { isEditableByEveryone: 'false', teamsWithEditAccess: [world.teams.t1, world.teams.t2] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().permissions.teamsWithEditAccess).toEqual([world.teams.t1, world.teams.t2].map(Number).sort((a, b) => a - b));
  });

  it('61: permissions null answers null and creates no row', async () => {
    const res = await put({ permissions: null });
    expect(res.statusCode).toBe(200);
    expect(res.json().permissions).toBeNull();
    expect(await h.db.selectFrom('dashboard_permissions').select('id').where('dashboard_id', '=', f.dashboardId).execute()).toEqual([]);
  });
});
