import { Job } from 'bullmq';
import { enqueueDashboardReconcile } from '../../src/jobs/dashboardJobs.js';
import { getDashboard } from '../../src/workers/dashboards/getDashboard.js';
import { type Harness, startHarness } from './harness.js';
import { seedFixtureF, seedWorld, storedQueries, storedWidgets } from './world.js';

// 20 concurrent updates of one dashboard through the queue, 4 at a time in the worker: the row lock must serialise
// them. Every request keeps W1..W3, updates Q11 and adds one widget of its own, so each commit renumbers above the
// previous commit's orders; if two reconciles ever interleaved they would plan from the same maximum.

const UPDATES = 20;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ concurrency: 4 });
});

afterAll(async () => {
  await h.close();
});

it('serialises concurrent updates: the final state is the last committed request, orders contiguous and unique', async () => {
  const world = await seedWorld(h.db);
  const f = await seedFixtureF(h.db, world);
  const bodies = Array.from({ length: UPDATES }, (_, i) => ({
    title: `title-${i}`,
    widgets: [
      { id: f.w1, title: `w1-${i}`, queries: [{ id: f.q11, name: `q-${i}` }] },
      { id: f.w2 },
      { id: f.w3 },
      { title: `req-${i}`, displayType: 'line', queries: [{ name: `new-${i}`, fields: ['count()'], conditions: '' }] },
    ],
  }));

  const jobs = await Promise.all(
    bodies.map((body) => enqueueDashboardReconcile(h.queue, { organizationId: world.org.id, dashboardId: f.dashboardId, actorUserId: world.users.creator, body })),
  );
  type Answer = { title: string; widgets: { id: string; title: string }[] };
  const results = (await Promise.all(jobs.map((job) => job.waitUntilFinished(h.queueEvents, 60_000)))) as unknown as Answer[];
  const finished = await Promise.all(jobs.map((job) => Job.fromId(h.queue, job.id!)));
  expect(finished.every((job) => job?.attemptsMade === 0 || job?.attemptsMade === 1)).toBe(true);
  expect(await Promise.all(finished.map((job) => job!.getState()))).toEqual(Array(UPDATES).fill('completed'));

  // 20 serial commits. Commit k deletes the previous request's widget, keeps W1..W3 (orders 3(k-1)..3(k-1)+2)
  // and numbers from the maximum + 1: W1..W3 at 3k..3k+2, its own widget at 3k+3. After 20: 60..63.
  const committed = await storedWidgets(h.db, f.dashboardId);
  expect(committed.map((w) => w.order)).toEqual([60, 61, 62, 63]);

  // Every answer is one request's own state, never a mix.
  for (const [i, r] of results.entries()) {
    expect(r.title).toBe(`title-${i}`);
    expect(r.widgets.map((w) => w.title)).toEqual([`w1-${i}`, 'Widget 2', 'Widget 3', `req-${i}`]);
  }

  // Under the lock, new widget ids are drawn in commit order: the largest one is the last committed request.
  const newWidgetId = (r: Answer) => BigInt(r.widgets[3]!.id);
  const last = results.reduce((best, r, i) => (newWidgetId(r) > newWidgetId(results[best]!) ? i : best), 0);
  const final = await getDashboard({ db: h.db }, { organizationId: world.org.id, dashboardId: f.dashboardId, actor: { userId: world.users.creator } });
  expect(final).toEqual(results[last]);
  expect(committed.map((w) => w.title)).toEqual([`w1-${last}`, 'Widget 2', 'Widget 3', `req-${last}`]);
  // Q11 is renumbered once per commit (0 -> 1 by the max == 0 rule, then +1 each time).
  const q11 = await storedQueries(h.db, f.w1);
  expect(q11.map((q) => [q.id, q.order, q.name])).toEqual([[f.q11, UPDATES, `q-${last}`]]);
});
