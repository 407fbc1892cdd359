import { randomBytes, randomInt } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { Db } from '../src/adapters/db/connect.js';
import { asDashboardDb, type DashboardDb } from '../src/adapters/db/dashboardSchema.js';
import { createRedis, type Redis } from '../src/adapters/redis/connect.js';
import { DASHBOARD_QUEUE, enqueueDashboardReconcile } from '../src/jobs/dashboardJobs.js';
import { silentLogger } from '../src/logging/logger.js';
import { createDashboard } from '../src/workers/dashboards/createDashboard.js';
import { closeDashboardWorker, createDashboardWorker } from '../src/workers/dashboards/createDashboardWorker.js';

export interface DashboardBenchOptions {
  /** a migrated database; the bench adds one organisation and removes it at the end */
  db: Db;
  redisUrl: string;
  /** BullMQ prefix; default a fresh one, removed at the end */
  prefix?: string;
  /** measured reconciles (default 50), after `warmup` unmeasured ones (default 5) */
  iterations?: number;
  warmup?: number;
  widgets?: number;
  queriesPerWidget?: number;
}

export interface DashboardBenchResult {
  p50Ms: number;
  p99Ms: number;
  n: number;
}

/**
 * Latency of one dashboard PUT's job through the queue: enqueue a `reconcile` of a 30-widget dashboard with 3
 * queries per widget, wait for the worker to finish it. Every iteration sends all widgets and queries by id with
 * new titles, layouts and a reversed order (a "rearrange and rename everything" save), so each run updates
 * 30 widgets and 90 queries under the row lock. Runs one job at a time (latency, not throughput).
 */
export async function benchDashboards(opts: DashboardBenchOptions): Promise<DashboardBenchResult> {
  const db = asDashboardDb(opts.db);
  const prefix = opts.prefix ?? `bench-dash-${randomBytes(4).toString('hex')}`;
  const clients: Redis[] = [];
  const redis = (forBullWorker: boolean) => {
    const client = createRedis(opts.redisUrl, { forBullWorker });
    clients.push(client);
    return client;
  };
  const queue = new Queue(DASHBOARD_QUEUE, { connection: redis(false), prefix });
  const events = new QueueEvents(DASHBOARD_QUEUE, { connection: redis(true), prefix });
  const worker = createDashboardWorker({ connection: redis(true), prefix, concurrency: 1, deps: { db }, logger: silentLogger });
  const organizationId = await createBenchOrganization(db);
  try {
    await events.waitUntilReady();
    const dashboard = await createDashboard({ db }, { organizationId, actor: { userId: null }, body: initialBody(opts.widgets ?? 30, opts.queriesPerWidget ?? 3) });
    const widgets = dashboard.widgets as { id: string; queries: { id: string }[] }[];
    const samples: number[] = [];
    const total = (opts.warmup ?? 5) + (opts.iterations ?? 50);
    for (let i = 0; i < total; i += 1) {
      const started = performance.now();
      const job = await enqueueDashboardReconcile(queue, { organizationId, dashboardId: String(dashboard.id), body: updateBody(widgets, i) });
      await job.waitUntilFinished(events, 60_000);
      if (i >= (opts.warmup ?? 5)) samples.push(performance.now() - started);
    }
    return summarize(samples);
  } finally {
    await closeDashboardWorker(worker);
    await events.close();
    if (!opts.prefix) await queue.obliterate({ force: true });
    await queue.close();
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await db.deleteFrom('organization').where('id', '=', organizationId).execute();
  }
}

async function createBenchOrganization(db: DashboardDb): Promise<string> {
  // A high id range keeps clear of real snowflake ids; the slug is unique per run.
  const id = (9_000_000_000_000_000n + BigInt(randomInt(1, 2 ** 47))).toString();
  await db.insertInto('organization').values({ id, name: 'bench', slug: `bench-${randomBytes(5).toString('hex')}` }).execute();
  return id;
}

const query = (w: number, q: number) => ({ name: `q${w}-${q}`, fields: ['count()', 'project'], aggregates: ['count()'], columns: ['project'], conditions: 'event.type:error', orderby: '-count()' });

function initialBody(widgets: number, queriesPerWidget: number) {
  return {
    title: 'Benchmark dashboard',
    widgets: Array.from({ length: widgets }, (_, w) => ({
      title: `Widget ${w}`,
      displayType: 'table',
      interval: '5m',
      layout: { x: w % 6, y: Math.floor(w / 6), w: 1, h: 1, minH: 1 },
      queries: Array.from({ length: queriesPerWidget }, (_, q) => query(w, q)),
    })),
  };
}

function updateBody(widgets: { id: string; queries: { id: string }[] }[], iteration: number) {
  const ordered = iteration % 2 === 0 ? [...widgets].reverse() : widgets;
  return {
    title: `Benchmark dashboard ${iteration}`,
    widgets: ordered.map((w, index) => ({
      id: w.id,
      title: `Widget ${w.id} #${iteration}`,
      layout: { x: index % 6, y: Math.floor(index / 6), w: 1, h: 1, minH: 1 },
      queries: w.queries.map((q) => ({ id: q.id, name: `query ${q.id} #${iteration}` })),
    })),
  };
}

function summarize(samples: number[]): DashboardBenchResult {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { p50Ms: round(at(50)), p99Ms: round(at(99)), n: sorted.length };
}
