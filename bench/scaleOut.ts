import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, TEST_REDIS_URL, testRedisPrefix } from '../test/support/database.js';
import { dropTemplateDatabase, prepareTemplateDatabase } from '../test/support/templateDatabase.js';
import { WorkerProcess } from '../test/support/workerProcess.js';
import { generateDist, runSentryCli, type CliTarget } from '../test/e2e/sentryCli.js';

// Uploads per second with 1, 2 and 4 `assembler worker` processes behind one `assembler api`: UPLOADS concurrent
// `sentry-cli sourcemaps upload --wait` runs (artifact bundles of FILES_PER_UPLOAD scripts with their maps), timed from
// the first start to the last exit. Run with `npm run build && node dist/bench/scaleOut.js [workers...]`.

const execFileP = promisify(execFile);
const CLI = join(process.cwd(), 'dist', 'service', 'cli.js');
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 40);
const FILES_PER_UPLOAD = Number(process.env.BENCH_FILES_PER_UPLOAD ?? 50);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function cli(env: Record<string, string>, ...args: string[]): Promise<string> {
  const { stdout } = await execFileP(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env } });
  return stdout.trim();
}

async function measure(workerCount: number, dists: string[]): Promise<number> {
  const testDb = await createTestDatabase();
  const scratch = await mkdtemp(join(tmpdir(), 'aa-bench-scale-'));
  const env = { DATABASE_URL: testDb.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: testRedisPrefix(), STORAGE_DIR: join(scratch, 'blobs'), LOG_LEVEL: 'warn' };
  const processes: WorkerProcess[] = [];
  try {
    const org = /organization (\S+)/.exec(await cli(env, 'org', 'create', 'Bench'))?.[1] as string;
    await cli(env, 'project', 'create', 'web', '--org', org, '--slug', 'web');
    const token = await cli(env, 'token', 'create', '--org', org);
    const port = await freePort();
    const api = WorkerProcess.start({ ...env, PORT: String(port), TEMP_DIR: join(scratch, 'tmp-api'), LOG_LEVEL: 'info' }, 'api');
    processes.push(api);
    for (let i = 0; i < workerCount; i += 1) {
      processes.push(WorkerProcess.start({ ...env, TEMP_DIR: join(scratch, `tmp-${i}`), LOG_LEVEL: 'info' }, 'worker'));
    }
    for (const p of processes) await p.waitForLog(/"msg":"started"/, 30_000);
    const target: CliTarget = { url: `http://127.0.0.1:${port}`, token, org, project: 'web' };
    const started = performance.now();
    const results = await Promise.all(dists.map((dir, i) => runSentryCli(2, target, ['sourcemaps', 'upload', '--release', `bench-${i}`, '--wait', dir])));
    const seconds = (performance.now() - started) / 1000;
    const failed = results.filter((r) => r.code !== 0);
    if (failed.length > 0) throw new Error(`${failed.length} uploads failed: ${failed[0]?.stderr}`);
    return seconds;
  } finally {
    await Promise.all(processes.map((p) => p.kill()));
    await testDb.drop();
    await rm(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  // a template of its own: `npm run bench` elsewhere on the machine recreates and drops aa_bench_template
  process.env.AA_TEST_TEMPLATE_DB = `aa_bench_scale_${process.pid}`;
  await prepareTemplateDatabase();
  const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const dists = await Promise.all(Array.from({ length: UPLOADS }, (_, i) => generateDist(FILES_PER_UPLOAD, `scale-${i}`)));
  console.log(`${UPLOADS} concurrent uploads of ${FILES_PER_UPLOAD * 2} files each (sentry-cli 2.x, artifact bundles, --wait)`);
  console.log('workers  seconds  uploads/s');
  for (const workers of counts.length > 0 ? counts : [1, 2, 4]) {
    const seconds = await measure(workers, dists.map((d) => d.dir));
    console.log(`${String(workers).padStart(7)}  ${seconds.toFixed(2).padStart(7)}  ${(UPLOADS / seconds).toFixed(2).padStart(9)}`);
  }
  await Promise.all(dists.map((d) => rm(d.dir, { recursive: true, force: true })));
  await dropTemplateDatabase();
}

await main();
