import type { DashboardDb } from '../../src/adapters/db/dashboardSchema.js';
import type { MemberRole } from '../../src/domain/dashboards/editAccess.js';

/**
 * Test data for the dashboard tests: two organisations, users with each role, teams and projects, and fixture F of
 * reference A.8 (dashboard "Dashboard 1" by the creator, W1..W4 at orders 0..3, Q11/Q12 on W1, Q21 on W2).
 */
export interface World {
  org: { id: string; slug: string };
  otherOrg: { id: string; slug: string };
  users: { creator: string; member: string; noTeam: string; manager: string; owner: string; admin: string; superuser: string; outsider: string };
  teams: { t1: string; t2: string; foreign: string };
  projects: { p1: string; p2: string; foreign: string };
}

export interface FixtureF {
  dashboardId: string;
  w1: string;
  w2: string;
  w3: string;
  w4: string;
  q11: string;
  q12: string;
  q21: string;
}

let nextSnowflake = 4_000_000_000_000n + BigInt(Math.floor(Math.random() * 1_000_000)) * 1000n;
const snowflake = () => (nextSnowflake += 1n).toString();

async function user(db: DashboardDb, username: string, superuser = false): Promise<string> {
  const row = await db
    .insertInto('app_user')
    .values({ username, name: username.toUpperCase(), email: `${username}@example.com`, is_superuser: superuser })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('user_email').values({ user_id: row.id, email: `${username}@example.com`, is_verified: true }).execute();
  return row.id;
}

async function member(db: DashboardDb, organizationId: string, userId: string, role: MemberRole, teamIds: string[] = []): Promise<void> {
  const row = await db.insertInto('organization_member').values({ organization_id: organizationId, user_id: userId, role }).returning('id').executeTakeFirstOrThrow();
  for (const teamId of teamIds) await db.insertInto('organization_member_team').values({ organization_member_id: row.id, team_id: teamId }).execute();
}

async function org(db: DashboardDb, slug: string) {
  const id = snowflake();
  await db.insertInto('organization').values({ id, name: slug, slug }).execute();
  return { id, slug };
}

async function team(db: DashboardDb, organizationId: string, slug: string): Promise<string> {
  const row = await db.insertInto('team').values({ organization_id: organizationId, slug, name: slug }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

async function project(db: DashboardDb, organizationId: string, slug: string): Promise<string> {
  const id = snowflake();
  await db.insertInto('project').values({ id, organization_id: organizationId, slug, name: slug }).execute();
  return id;
}

export async function seedWorld(db: DashboardDb): Promise<World> {
  const o = await org(db, `org-${snowflake()}`);
  const other = await org(db, `other-${snowflake()}`);
  const teams = { t1: await team(db, o.id, 't1'), t2: await team(db, o.id, 't2'), foreign: await team(db, other.id, 'foreign') };
  const projects = { p1: await project(db, o.id, 'p1'), p2: await project(db, o.id, 'p2'), foreign: await project(db, other.id, 'foreign') };
  const users = {
    creator: await user(db, `creator-${o.id}`),
    member: await user(db, `member-${o.id}`),
    noTeam: await user(db, `noteam-${o.id}`),
    manager: await user(db, `manager-${o.id}`),
    owner: await user(db, `owner-${o.id}`),
    admin: await user(db, `admin-${o.id}`),
    superuser: await user(db, `super-${o.id}`, true),
    outsider: await user(db, `outsider-${o.id}`),
  };
  await member(db, o.id, users.creator, 'member', [teams.t1]);
  await member(db, o.id, users.member, 'member', [teams.t1]);
  await member(db, o.id, users.noTeam, 'member');
  await member(db, o.id, users.manager, 'manager');
  await member(db, o.id, users.owner, 'owner');
  await member(db, o.id, users.admin, 'admin', [teams.t2]);
  await member(db, other.id, users.outsider, 'owner');
  return { org: o, otherOrg: other, users, teams, projects };
}

const layout = (x: number) => JSON.stringify({ layout: { x, y: 0, w: 1, h: 1, minH: 2 } });

/** Fixture F; `title` lets one test file hold several copies. */
export async function seedFixtureF(db: DashboardDb, world: World, title = 'Dashboard 1'): Promise<FixtureF> {
  const d = await db.insertInto('dashboard').values({ organization_id: world.org.id, title, created_by_id: world.users.creator }).returning('id').executeTakeFirstOrThrow();
  const widget = async (order: number, values: Record<string, unknown>) =>
    (await db.insertInto('dashboard_widget').values({ dashboard_id: d.id, order, display_type: 0, widget_type: 0, title: `Widget ${order + 1}`, ...values }).returning('id').executeTakeFirstOrThrow()).id;
  const w1 = await widget(0, { interval: '1d', detail: layout(0) });
  const w2 = await widget(1, { display_type: 4, interval: '1d', limit: 5, detail: layout(1) });
  const w3 = await widget(2, {});
  const w4 = await widget(3, {});
  const query = async (widgetId: string, order: number, values: Record<string, unknown>) =>
    (await db.insertInto('dashboard_widget_query').values({ widget_id: widgetId, order, name: '', fields: [], conditions: '', ...values }).returning('id').executeTakeFirstOrThrow()).id;
  const q11 = await query(w1, 0, { name: 'Anonymous Users', fields: ['count()'], aggregates: ['count()'], columns: [], field_aliases: ['Count Alias'], conditions: '!has:user.email' });
  const q12 = await query(w1, 1, { name: 'Known Users', fields: ['count_unique(user.email)'], aggregates: ['count_unique(user.email)'], columns: [], conditions: 'has:user.email' });
  const q21 = await query(w2, 0, { name: 'Errors by Geo', fields: ['count()', 'geo.country_code'], aggregates: ['count()'], columns: ['geo.country_code'], conditions: 'has:geo.country_code' });
  return { dashboardId: d.id, w1, w2, w3, w4, q11, q12, q21 };
}

/** The widgets of a dashboard as stored: [id, order, title], by order. */
export async function storedWidgets(db: DashboardDb, dashboardId: string) {
  return db.selectFrom('dashboard_widget').select(['id', 'order', 'title']).where('dashboard_id', '=', dashboardId).orderBy('order').execute();
}

export async function storedQueries(db: DashboardDb, widgetId: string) {
  return db.selectFrom('dashboard_widget_query').selectAll().where('widget_id', '=', widgetId).orderBy('order').execute();
}
