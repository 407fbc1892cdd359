import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { WorkerProcess } from '../support/workerProcess.js';
import { runSentryCli, type CliResult, type CliTarget } from '../e2e/sentryCli.js';
import { freePort, startPgBouncer, startRedisCluster, startSentinelSetup, redisCli, type ServerProcess } from './support/topology.js';

// Issue 17: the roles as separate processes (api, two workers, dashboards) on Redis Cluster or Sentinel and Postgres
// behind PgBouncer in transaction mode; 40 concurrent `sentry-cli sourcemaps upload --wait` while the Redis master
// serving our hash slot and one worker are killed with SIGKILL. Failover must be a pause, not an outage.

const execFileP = promisify(execFile);
const CLI = join(process.cwd(), 'dist', 'service', 'cli.js');
const UPLOADS = 40;
const HASH_TAG = '{aa}';
const PREFIX = `scale-${HASH_TAG}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let base: string;
let testDb: TestDatabase;
let bouncer: ServerProcess;
let bouncedUrl: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'aa-scale-'));
  testDb = await createTestDatabase();
  bouncer = await startPgBouncer(base, { host: '127.0.0.1', port: 5432, user: 'postgres' });
  bouncedUrl = `postgres://postgres@127.0.0.1:${bouncer.port}/${testDb.name}`;
}, 60_000);

afterAll(async () => {
  await bouncer?.kill();
  await testDb?.drop();
  await rm(base, { recursive: true, force: true });
}, 60_000);

/** Runs a one-shot `assembler` command to completion (admin commands, migrate). */
async function cli(env: Record<string, string>, ...args: string[]): Promise<string> {
  const { stdout } = await execFileP(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env }, timeout: 60_000 });
  return stdout.trim();
}

/** What every process of one deployment shares: Postgres through PgBouncer, Redis, and the blob store. */
function sharedEnv(redisEnv: Record<string, string>, storageDir: string): Record<string, string> {
  return { DATABASE_URL: bouncedUrl, DATABASE_POOL_SIZE: '5', STORAGE_DIR: storageDir, REDIS_PREFIX: PREFIX, ...redisEnv };
}

interface Deployment {
  api: WorkerProcess;
  workers: WorkerProcess[];
  dashboards: WorkerProcess;
  target: CliTarget;
  baseUrl: string;
  stop(): Promise<void>;
}

async function deploy(redisEnv: Record<string, string>, name: string): Promise<Deployment> {
  const dir = join(base, name);
  const storageDir = join(dir, 'blobs');
  const env = sharedEnv(redisEnv, storageDir);
  // Kysely's migration lock is a session-level advisory lock: migrations take the direct URL, as the README says
  expect(await cli({ ...env, DATABASE_MIGRATION_URL: testDb.url }, 'migrate')).toMatch(/up to date|applied/);
  const org = /organization (\S+)/.exec(await cli(env, 'org', 'create', `Scale ${name}`))?.[1] as string;
  await cli(env, 'project', 'create', 'web', '--org', org, '--slug', 'web');
  const token = await cli(env, 'token', 'create', '--org', org);
  const port = await freePort();
  const tempDir = (role: string) => join(dir, `tmp-${role}`); // missing: each process creates its own
  const api = WorkerProcess.start({ ...env, PORT: String(port), TEMP_DIR: tempDir('api') } as never, 'api');
  const workers = [0, 1].map((i) =>
    WorkerProcess.start({ ...env, TEMP_DIR: tempDir(`worker-${i}`), WORKER_LOCK_DURATION_MS: '5000', WORKER_STALLED_INTERVAL_MS: '2000' } as never, 'worker'),
  );
  const dashboards = WorkerProcess.start({ ...env, TEMP_DIR: tempDir('dashboards') } as never, 'dashboards');
  const all = [api, ...workers, dashboards];
  const stop = async () => {
    await Promise.all(all.map((p) => p.kill()));
  };
  try {
    const roles = ['api', 'worker 0', 'worker 1', 'dashboards'];
    for (const [i, p] of all.entries()) {
      await p.waitForLog(/"msg":"started"/, 90_000).catch((err: Error) => {
        throw new Error(`${roles[i]}: ${err.message}`);
      });
    }
    const baseUrl = `http://127.0.0.1:${port}`;
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);
    // the missing temp dirs were created: by each worker at start, by the api's /readyz check
    for (const role of ['api', 'worker-0', 'worker-1']) expect([role, existsSync(tempDir(role))]).toEqual([role, true]);
    return { api, workers, dashboards, target: { url: baseUrl, token, org, project: 'web' }, baseUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A tiny build (one script and its map) per upload, so the run measures the service, not the bytes. */
async function tinyDist(i: number): Promise<string> {
  const dir = join(base, 'dists', String(i));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `app-${i}.js`), `console.log(${i});\n//# sourceMappingURL=app-${i}.js.map\n`);
  await writeFile(join(dir, `app-${i}.js.map`), JSON.stringify({ version: 3, file: `app-${i}.js`, sources: [`src/${i}.ts`], names: [], mappings: 'AAAA' }));
  return dir;
}

function upload(target: CliTarget, i: number, dir: string): Promise<CliResult> {
  // sentry-cli's own retries stay on (it retries 503 honouring Retry-After), as in production
  return runSentryCli(2, target, ['sourcemaps', 'upload', '--release', `scale-${i}`, '--wait', dir], { env: { SENTRY_HTTP_MAX_RETRIES: '5' } });
}

/** Polls /readyz every 100 ms: how long it was not 200, and how many answers were 503, while `during` runs. */
async function watchReadiness<T>(baseUrl: string, during: Promise<T>): Promise<{ result: T; notReadyMs: number; unready503: number }> {
  let done = false;
  let notReadyMs = 0;
  let unready503 = 0;
  const poll = (async () => {
    while (!done) {
      const started = Date.now();
      const status = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 0);
      if (status !== 200) {
        notReadyMs += Date.now() - started + 100;
        if (status === 503) unready503 += 1;
      }
      await sleep(100);
    }
  })();
  const result = await during.finally(() => {
    done = true;
  });
  await poll;
  return { result, notReadyMs, unready503 };
}

/** From the api's request log: responses that were 503, and requests that took over a second (waited out the pause). */
function requestFigures(apiLogs: string): { answered503: number; waited: number; slowestMs: number } {
  let answered503 = 0;
  let waited = 0;
  let slowestMs = 0;
  for (const line of apiLogs.split('\n')) {
    if (!line.includes('"request completed"')) continue;
    const entry = JSON.parse(line) as { res?: { statusCode?: number }; responseTime?: number };
    if (entry.res?.statusCode === 503) answered503 += 1;
    const ms = entry.responseTime ?? 0;
    if (ms > 1000) waited += 1;
    slowestMs = Math.max(slowestMs, ms);
  }
  return { answered503, waited, slowestMs };
}

async function authed(d: Deployment, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${d.baseUrl}/api/0/organizations/${d.target.org}${path}`, {
    method,
    headers: { authorization: `Bearer ${d.target.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(60_000),
  });
}

const widget = (title: string) => ({ title, displayType: 'line', queries: [{ name: 'q', fields: ['count()'], aggregates: ['count()'], columns: [], conditions: '' }] });

/**
 * The scenario, for either topology: uploads start; once the first jobs run, the Redis master of our slot and one
 * worker are SIGKILLed, and a dashboard PUT is sent into the failover. Everything must end well.
 */
async function uploadThroughFailover(d: Deployment, killMaster: () => Promise<void>, describeRedis: () => Promise<string>): Promise<void> {
  const dists = await Promise.all(Array.from({ length: UPLOADS }, (_, i) => tinyDist(i)));
  const created = await authed(d, 'POST', '/dashboards/', { title: 'Scale', widgets: [widget('before')] });
  expect(created.status).toBe(201);
  const dashboardId = ((await created.json()) as { id: string }).id;

  let putBody = '';
  const started = Date.now();
  const uploads = Promise.all(dists.map((dir, i) => upload(d.target, i, dir)));
  const chaos = (async () => {
    await d.workers[0]?.waitForLog(/"msg":"job (started|finished)"/, 60_000).catch(() => undefined);
    await Promise.all([killMaster(), d.workers[0]?.kill()]);
    const put = await authed(d, 'PUT', `/dashboards/${dashboardId}/`, { title: 'Scale', widgets: [widget('during failover')] });
    putBody = await put.text();
    return put.status;
  })();
  const { result, notReadyMs, unready503 } = await watchReadiness(d.baseUrl, Promise.all([uploads, chaos]));
  const [results, putStatus] = result;
  const elapsedS = (Date.now() - started) / 1000;

  const failed = results.map((r, i) => ({ i, r })).filter(({ r }) => r.code !== 0);
  if (failed.length > 0) {
    const lines = d.api.logs().split('\n');
    const errors = [...lines.filter((l) => /"level":(50|60)/.test(l)).slice(0, 5), ...lines.filter((l) => /"statusCode":5\d\d/.test(l) && !l.includes('readyz')).slice(0, 5)];
    process.stdout.write(`api errors during the failover:\n${errors.map((l) => l.slice(0, 1500)).join('\n')}\n`);
    process.stdout.write(`surviving worker, last lines:\n${d.workers[1]?.logs().split('\n').slice(-15).join('\n')}\n`);
    process.stdout.write(`redis after the failover:\n${await describeRedis().catch((err: Error) => err.message)}\n`);
  }
  expect(failed.map(({ i, r }) => `upload ${i}: exit ${r.code} ${r.signal ?? ''}\n${r.stderr.slice(-600)}`)).toEqual([]);
  expect([200, 202]).toContain(putStatus);

  // every release is readable through artifact-lookup
  for (let i = 0; i < UPLOADS; i += 1) {
    const res = await fetch(`${d.baseUrl}/api/0/projects/${d.target.org}/web/artifact-lookup/?release=scale-${i}`, {
      headers: { authorization: `Bearer ${d.target.token}` },
    });
    expect([i, res.status]).toEqual([i, 200]);
    expect([i, ((await res.json()) as unknown[]).length > 0]).toEqual([i, true]);
  }
  // the dashboard update reconciles: a 200 is already in Postgres (read back at once), a 202 finishes in the background
  const widgetTitles = async () =>
    ((await (await authed(d, 'GET', `/dashboards/${dashboardId}/`)).json()) as { widgets: { title: string }[] }).widgets.map((w) => w.title);
  if (putStatus === 200) {
    expect((JSON.parse(putBody) as { widgets: { title: string }[] }).widgets.map((w) => w.title)).toEqual(['during failover']);
    expect(await widgetTitles()).toEqual(['during failover']);
  }
  let titles: string[] = [];
  for (let attempt = 0; attempt < 100 && titles[0] !== 'during failover'; attempt += 1) {
    titles = await widgetTitles();
    if (titles[0] !== 'during failover') await sleep(200);
  }
  if (titles[0] !== 'during failover') {
    process.stdout.write(`dashboard PUT answered ${putStatus} ${putBody.slice(0, 400)}\ndashboards worker:\n${d.dashboards.logs().slice(-3000)}\n`);
  }
  expect(titles).toEqual(['during failover']);
  // /readyz noticed the pause (503 while our slot had no master), and the survivors are alive and ready without a restart
  expect(unready503).toBeGreaterThan(0);
  expect([d.api.exited, d.workers[1]?.exited, d.dashboards.exited]).toEqual([false, false, false]);
  expect((await fetch(`${d.baseUrl}/readyz`)).status).toBe(200);

  const figures = { uploads: UPLOADS, elapsedS, readyzNotReadyMs: notReadyMs, readyz503: unready503, putStatus, ...requestFigures(d.api.logs()) };
  process.stdout.write(`failover figures: ${JSON.stringify(figures)}\n`);
}

describe('roles on separate processes, Redis Cluster and PgBouncer (transaction mode)', () => {
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
  let d: Deployment | undefined;

  beforeAll(async () => {
    cluster = await startRedisCluster(base);
  }, 90_000);
  afterAll(async () => {
    await d?.stop();
    await cluster?.stop();
  }, 30_000);

  it('refuses a prefix without a hash tag at start, naming REDIS_PREFIX, with a non-zero exit', async () => {
    const refused = WorkerProcess.start({ ...sharedEnv({ REDIS_CLUSTER_NODES: cluster.seeds }, join(base, 'x')), REDIS_PREFIX: 'tagless', TEMP_DIR: join(base, 'x') } as never, 'worker');
    const [code] = (await new Promise<unknown[]>((r) => refused.child.once('exit', (...a: unknown[]) => r(a)))) as [number | null];
    expect(code).not.toBe(0);
    expect(refused.logs()).toMatch(/REDIS_PREFIX: "tagless" has no \{hash tag\}/);
  });

  it('40 concurrent sentry-cli uploads all succeed while our slot\'s master and one worker are SIGKILLed', async () => {
    d = await deploy({ REDIS_CLUSTER_NODES: cluster.seeds }, 'cluster');
    const master = await cluster.masterFor(HASH_TAG);
    const live = () => cluster.nodes.find((n) => !n.exited)?.port ?? 0;
    await uploadThroughFailover(d, () => master.kill(), async () =>
      [await redisCli(live(), 'cluster', 'info'), await redisCli(live(), 'cluster', 'nodes'), ...cluster.nodes.map((n) => `node ${n.port}:\n${n.tail()}`)].join('\n'),
    );
    // a replica took over our slot, and every key of ours carries the hash tag
    const promoted = await cluster.masterFor(HASH_TAG);
    expect(promoted.port).not.toBe(master.port);
    const keys = (await Promise.all(cluster.nodes.filter((n) => !n.exited).map((n) => redisCli(n.port, '--scan')))).join('\n').split('\n').filter(Boolean);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => !k.includes(HASH_TAG))).toEqual([]);
    // the slot's new master holds the queue and the assemble statuses
    const onMaster = (await redisCli(promoted.port, '--scan', '--pattern', `${PREFIX}:*`)).split('\n');
    expect(onMaster.filter((k) => k.startsWith(`${PREFIX}:assemble-artifacts:`)).length).toBeGreaterThan(0);
    expect(onMaster.filter((k) => k.startsWith(`${PREFIX}:assemble-status:`)).length).toBeGreaterThan(0);
  }, 240_000);
});

describe('roles on separate processes, Redis Sentinel and PgBouncer (transaction mode)', () => {
  let sentinel: Awaited<ReturnType<typeof startSentinelSetup>>;
  let d: Deployment | undefined;

  beforeAll(async () => {
    sentinel = await startSentinelSetup(base);
  }, 60_000);
  afterAll(async () => {
    await d?.stop();
    await sentinel?.stop();
  }, 30_000);

  it('40 concurrent sentry-cli uploads all succeed while the master and one worker are SIGKILLed', async () => {
    d = await deploy({ REDIS_SENTINELS: sentinel.addresses, REDIS_SENTINEL_MASTER: sentinel.masterName }, 'sentinel');
    expect(await sentinel.currentMasterPort()).toBe(sentinel.master.port);
    await uploadThroughFailover(d, () => sentinel.master.kill(), async () => `master now on port ${await sentinel.currentMasterPort()}`);
    expect(await sentinel.currentMasterPort()).toBe(sentinel.replica.port);
  }, 240_000);
});

describe('TEMP_DIR', () => {
  it('a temp dir that cannot be written stops the worker at start and fails /readyz, naming TEMP_DIR', async () => {
    const notADir = join(base, 'a-file');
    await writeFile(notADir, 'x');
    const env = { ...sharedEnv({ REDIS_URL: 'redis://127.0.0.1:6379' }, join(base, 'blobs-t')), REDIS_PREFIX: 'scale-tempdir', TEMP_DIR: join(notADir, 'tmp') };
    const worker = WorkerProcess.start(env as never, 'worker');
    const [code] = (await new Promise<unknown[]>((r) => worker.child.once('exit', (...a: unknown[]) => r(a)))) as [number | null];
    expect(code).toBe(1);
    expect(worker.logs()).toMatch(/TEMP_DIR .*a-file\/tmp is not a writable folder \(ENOTDIR\)/);

    const port = await freePort();
    const api = WorkerProcess.start({ ...env, PORT: String(port) } as never, 'api');
    try {
      await api.waitForLog(/"msg":"started"/, 30_000);
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect([res.status, await res.json()]).toEqual([503, { ok: false, database: true, redis: true, storage: true, tempDir: false }]);
    } finally {
      await api.kill();
    }
  }, 60_000);
});
