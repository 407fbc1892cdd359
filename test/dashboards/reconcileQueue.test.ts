import { Job, type Queue } from 'bullmq';
import { createDb } from '../../src/adapters/db/connect.js';
import { asDashboardDb } from '../../src/adapters/db/dashboardSchema.js';
import { AppError } from '../../src/domain/errors.js';
import { DASHBOARD_JOB, enqueueDashboardReconcile, type ReconcileDashboardPayload } from '../../src/jobs/dashboardJobs.js';
import { silentLogger } from '../../src/logging/logger.js';
import { processDashboardJob } from '../../src/workers/dashboards/processor.js';
import { type Harness, startHarness } from './harness.js';
import { type FixtureF, type World, seedFixtureF, seedWorld, storedWidgets } from './world.js';

// The dashboard worker driven through the queue alone, as another service would with the typed producer.

let h: Harness;
let world: World;
let f: FixtureF;

beforeAll(async () => {
  h = await startHarness({ concurrency: 2 });
});

afterAll(async () => {
  await h.close();
});

beforeEach(async () => {
  world = await seedWorld(h.db);
  f = await seedFixtureF(h.db, world);
});

const payload = (body: unknown, over: Partial<ReconcileDashboardPayload> = {}): ReconcileDashboardPayload => ({
  organizationId: world.org.id,
  dashboardId: f.dashboardId,
  actorUserId: world.users.creator,
  body,
  ...over,
});

/** Enqueues and waits for the job's end; answers the finished job (completed or failed). */
async function run(p: ReconcileDashboardPayload, options: { attempts?: number } = {}): Promise<Job> {
  const job = await enqueueDashboardReconcile(h.queue, p, options);
  await job.waitUntilFinished(h.queueEvents, 15_000).catch(() => undefined);
  const finished = await Job.fromId(h.queue, job.id!);
  if (!finished) throw new Error('job vanished');
  return finished;
}

const validQuery = { name: 'q', fields: ['count()'], aggregates: ['count()'], columns: [], conditions: '' };

describe('reconcile jobs through the queue', () => {
  it('applies a valid body and returns the serialized dashboard', async () => {
    const job = await run(payload({ title: 'From a service', widgets: [{ id: f.w2 }, { title: 'New', displayType: 'line', queries: [validQuery] }] }));
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue.title).toBe('From a service');
    expect(job.returnvalue.widgets.map((w: { title: string }) => w.title)).toEqual(['Widget 2', 'New']);
    expect((await storedWidgets(h.db, f.dashboardId)).map((w) => w.order)).toEqual([2, 3]);
  });

  it('accepts snake_case keys as well as camelCase', async () => {
    const job = await run(payload({ widgets: [{ title: 'snake', display_type: 'table', widget_type: 'issue', dataset_source: 'user', queries: [{ ...validQuery, field_aliases: ['a'], is_hidden: true }] }] }));
    expect(await job.getState()).toBe('completed');
    const [widget] = job.returnvalue.widgets;
    expect([widget.displayType, widget.widgetType, widget.queries[0].fieldAliases, widget.queries[0].isHidden]).toEqual(['table', 'issue', ['a'], true]);
  });

  it('fails an invalid body at once, without retries, with the validation errors as the reason', async () => {
    const job = await run(payload({ title: '', widgets: [{ id: f.w1 }, { title: 'x', displayType: 'pie', queries: [validQuery], limit: 11 }] }), { attempts: 5 });
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(JSON.parse(job.failedReason)).toEqual({
      title: ['This field may not be blank.'],
      widgets: [{}, { displayType: ['"pie" is not a valid choice.'], limit: ['Ensure this value is less than or equal to 10.'] }],
    });
    expect((await storedWidgets(h.db, f.dashboardId)).map((w) => w.order)).toEqual([0, 1, 2, 3]);
  });

  it('fails at once with the reference bodies for unknown dashboards, foreign widgets and title clashes', async () => {
    const missing = await run(payload({ title: 'x' }, { dashboardId: '987654321' }));
    expect([missing.attemptsMade, JSON.parse(missing.failedReason)]).toEqual([1, { detail: 'The requested resource does not exist' }]);
    const other = await seedFixtureF(h.db, world, 'Dashboard 2');
    const foreign = await run(payload({ widgets: [{ id: other.w3 }] }));
    expect(JSON.parse(foreign.failedReason)).toEqual(['You cannot update widgets that are not part of this dashboard.']);
    const clash = await run(payload({ title: 'Dashboard 2' }));
    expect(JSON.parse(clash.failedReason)).toEqual(['Dashboard with that title already exists.']);
    expect((await h.db.selectFrom('dashboard').select('title').where('id', '=', f.dashboardId).executeTakeFirstOrThrow()).title).toBe('Dashboard 1');
  });

  it('checks edit access for the actor of the job; a job without actor acts for the organisation', async () => {
    await run(payload({ permissions: { isEditableByEveryone: false } }));
    const refused = await run(payload({ title: 'member' }, { actorUserId: world.users.member }));
    expect(JSON.parse(refused.failedReason)).toEqual({ detail: 'You do not have permission to perform this action.' });
    const service = await run(payload({ title: 'service', permissions: { isEditableByEveryone: true } }, { actorUserId: undefined }));
    expect(await service.getState()).toBe('completed');
    expect(service.returnvalue.permissions).toEqual({ isEditableByEveryone: true, teamsWithEditAccess: [] });
  });

  it('a job for an unknown user is refused', async () => {
    const job = await run(payload({ title: 'x' }, { actorUserId: '999999999' }));
    expect(JSON.parse(job.failedReason)).toEqual({ detail: 'You do not have permission to perform this action.' });
  });
});

describe('the queue contract', () => {
  it('the producer refuses a payload that breaks the contract', async () => {
    await expect(enqueueDashboardReconcile(h.queue, { ...payload({}), organizationId: 'org-slug' })).rejects.toMatchObject({ code: 'invalid_payload' });
    await expect(enqueueDashboardReconcile(h.queue, { ...payload({}), body: undefined })).rejects.toBeInstanceOf(AppError);
  });

  it('the producer refuses another queue', async () => {
    const { Queue } = await import('bullmq');
    const wrong: Queue = new Queue('assemble-artifacts', { connection: h.queue.opts.connection, prefix: h.prefix });
    try {
      await expect(enqueueDashboardReconcile(wrong, payload({}))).rejects.toMatchObject({ code: 'internal' });
    } finally {
      await wrong.close();
    }
  });

  it('the worker fails a malformed payload added without the producer, without retries', async () => {
    const job = await h.queue.add(DASHBOARD_JOB.reconcile, { organizationId: 42, dashboardId: f.dashboardId }, { attempts: 3 });
    await job.waitUntilFinished(h.queueEvents, 10_000).catch(() => undefined);
    const failed = await Job.fromId(h.queue, job.id!);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/^invalid reconcile payload: organizationId .*; body is required/);
  });

  it('the worker fails an unknown job name without retries', async () => {
    const job = await h.queue.add('rebuild', payload({}), { attempts: 3 });
    await job.waitUntilFinished(h.queueEvents, 10_000).catch(() => undefined);
    const failed = await Job.fromId(h.queue, job.id!);
    expect([failed?.attemptsMade, failed?.failedReason]).toEqual([1, 'unsupported job "rebuild" on the dashboard queue']);
  });
});

describe('processor failure policy', () => {
  it('rethrows a database outage as a transient error so BullMQ retries it', async () => {
    const unreachable = asDashboardDb(createDb({ connectionString: 'postgres://postgres@127.0.0.1:1/none', maxConnections: 1 }));
    try {
      const job = { name: DASHBOARD_JOB.reconcile, data: payload({ title: 'x' }), attemptsMade: 0, opts: { attempts: 5 } } as unknown as Job;
      const error = await processDashboardJob({ db: unreachable }, job, silentLogger).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('db_unavailable');
    } finally {
      await unreachable.destroy();
    }
  });
});
