import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { createRedis } from '../../src/adapters/redis/connect.js';
import { silentLogger } from '../../src/logging/logger.js';
import { closeDashboardWorker, createDashboardWorker } from '../../src/workers/dashboards/createDashboardWorker.js';
import { reconcileDashboard } from '../../src/workers/dashboards/reconcileDashboard.js';
import { TEST_REDIS_URL } from '../support/database.js';
import { type Harness, startHarness } from './harness.js';
import { type World, seedFixtureF, seedWorld, storedWidgets } from './world.js';

// Issue 17: a dashboard PUT answered 200 must be in Postgres, whatever Redis lost when its master failed over. Async
// replication can drop acknowledged writes: the PUT's job itself, or the job-id counter's last increments (so an id is
// handed out again and names a finished job). Both are reproduced here by removing exactly what a failover loses.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const widget = (title: string) => ({ title, displayType: 'line', queries: [{ name: 'q', fields: ['count()'], aggregates: ['count()'], columns: [], conditions: '' }] });

async function seeded(h: Harness): Promise<{ world: World; url: string; dashboardId: string }> {
  const world = await seedWorld(h.db);
  h.organizations.set(world.org.slug, world.org);
  const f = await seedFixtureF(h.db, world);
  return { world, url: `/api/0/organizations/${world.org.slug}/dashboards/${f.dashboardId}/`, dashboardId: f.dashboardId };
}

describe('a PUT whose job Redis lost', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ worker: false, putWaitMs: 8000 });
  });
  afterAll(async () => {
    await h.close();
  });

  it('is enqueued again and answered 200 once the update is committed', async () => {
    const { world, url, dashboardId } = await seeded(h);
    const put = h.request('PUT', url, { user: world.users.creator }, { title: 'Dashboard 1', widgets: [widget('after the failover')] });
    // the job reached Redis, then the master that held it died before its replica had it
    let queued: Job[] = [];
    for (let i = 0; i < 100 && queued.length === 0; i += 1) {
      queued = await h.queue.getWaiting();
      if (queued.length === 0) await sleep(50);
    }
    expect(queued).toHaveLength(1);
    await queued[0]!.remove();
    expect(await h.queue.getJobCounts('waiting', 'active')).toEqual({ waiting: 0, active: 0 });

    const connection = createRedis(TEST_REDIS_URL, { forBullWorker: true });
    const worker = createDashboardWorker({ connection, prefix: h.prefix, concurrency: 1, deps: { db: h.db }, logger: silentLogger });
    try {
      const res = await put;
      expect(res.statusCode).toBe(200);
      expect(res.json().widgets.map((w: { title: string }) => w.title)).toEqual(['after the failover']);
      expect((await storedWidgets(h.db, dashboardId)).map((w) => w.title)).toEqual(['after the failover']);
    } finally {
      await closeDashboardWorker(worker);
      await connection.quit();
    }
  }, 30_000);
});

describe('a job id handed out again after a failover', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ putWaitMs: 8000 });
  });
  afterAll(async () => {
    await h.close();
  });

  it('does not answer a PUT with the result of the finished job that had the id', async () => {
    const { world, url, dashboardId } = await seeded(h);
    const first = await h.request('PUT', url, { user: world.users.creator }, { title: 'Dashboard 1', widgets: [widget('first')] });
    expect(first.statusCode).toBe(200);
    // the failover lost the counter's last INCR: the next job without an id of its own gets the first one's id
    const redis = createRedis(TEST_REDIS_URL);
    try {
      await redis.decr(`${h.prefix}:${h.queue.name}:id`);
    } finally {
      await redis.quit();
    }
    const second = await h.request('PUT', url, { user: world.users.creator }, { title: 'Dashboard 1', widgets: [widget('second')] });
    expect(second.statusCode).toBe(200);
    expect(second.json().widgets.map((w: { title: string }) => w.title)).toEqual(['second']);
    expect((await storedWidgets(h.db, dashboardId)).map((w) => w.title)).toEqual(['second']);
  }, 30_000);
});

describe('a reconcile run twice for one request', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ worker: false });
  });
  afterAll(async () => {
    await h.close();
  });

  it('applies it once: the second run answers the dashboard as the first left it', async () => {
    const { world, dashboardId } = await seeded(h);
    const input = { organizationId: world.org.id, dashboardId, actor: { userId: world.users.creator }, body: { widgets: [widget('once')] }, requestId: randomUUID() };
    const first = await reconcileDashboard({ db: h.db }, input);
    const stored = await storedWidgets(h.db, dashboardId);
    const second = await reconcileDashboard({ db: h.db }, input);
    expect(stored.map((w) => w.title)).toEqual(['once']);
    expect(await storedWidgets(h.db, dashboardId)).toEqual(stored);
    expect(second).toEqual(first);
  });

  it('forks the prebuilt dashboard once', async () => {
    const { world } = await seeded(h);
    const input = { organizationId: world.org.id, dashboardId: 'default-overview', actor: { userId: world.users.creator }, body: { title: 'Forked', widgets: [widget('w')] }, requestId: randomUUID() };
    const first = await reconcileDashboard({ db: h.db }, input);
    const second = await reconcileDashboard({ db: h.db }, input);
    expect(second.id).toBe(first.id);
    expect(await h.db.selectFrom('dashboard').select('id').where('organization_id', '=', world.org.id).where('title', '=', 'Forked').execute()).toHaveLength(1);
  });
});
