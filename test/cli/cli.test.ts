import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AssembleHarness } from '../support/assembleHarness.js';
import { buildBundle, sha1 } from '../support/bundles.js';
import { TEST_REDIS_URL } from '../support/database.js';
import { WorkerProcess } from '../support/workerProcess.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'dist', 'src', 'main', 'cli.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the assembler command line', () => {
  let h: AssembleHarness;
  let env: Record<string, string>;
  let worker: WorkerProcess;

  async function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...env, ...extraEnv }, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  beforeAll(async () => {
    h = await AssembleHarness.create({ worker: false });
    env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: h.testDb.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: h.prefix,
      STORAGE_DIR: h.storageDir,
      TEMP_DIR: h.tempDir,
      LOG_LEVEL: 'warn',
    };
    worker = WorkerProcess.start({ ...env, LOG_LEVEL: 'info' } as never);
    await worker.waitForLog(/"msg":"started"/);
  });
  afterAll(async () => {
    await worker.stop();
    await h.close();
  }, 60_000);

  it('creates an organisation, a project and a release, printing what it created', async () => {
    const org = await cli(['org', 'create', 'Widget Works']);
    expect(org).toMatchObject({ code: 0 });
    expect(org.stdout).toMatch(/^organization widget-works id=\d{16} name="Widget Works"\n$/);
    const project = await cli(['project', 'create', '--org', 'widget-works', 'Web App']);
    expect(project.stdout).toMatch(/^project web-app id=\d{16} organization=widget-works\n$/);
    const release = await cli(['release', 'create', '--org', 'widget-works', '--project', 'web-app', '3.1.4']);
    expect(release.stdout).toMatch(/^release 3\.1\.4 id=\d+\n$/);
    const again = await cli(['release', 'create', '--org', 'widget-works', '3.1.4']);
    expect(again.stdout).toMatch(/\(already existed\)/);
    const missing = await cli(['project', 'create', '--org', 'nope', 'X']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/organization "nope" not found/);
  });

  it('assembles a bundle with --wait and lists its files as JSON', async () => {
    const files = [
      { path: 'files/_/_/main.js', url: '~/main.js', content: 'main()', headers: { sourcemap: 'main.js.map' } },
      { path: 'files/_/_/main.js.map', url: '~/main.js.map', content: '{"version":3}' },
    ];
    const path = join(h.tempDir, '..', `cli-bundle-${process.pid}.zip`);
    await writeFile(path, await buildBundle({ org: 'widget-works', release: '3.1.4', files }));
    const assembled = await cli(['assemble', '--org', 'widget-works', '--release', '3.1.4', '--wait', path]);
    expect(assembled.stderr).toBe('');
    expect(assembled.code).toBe(0);
    expect(assembled.stdout).toMatch(/^ok\nchecksum=[0-9a-f]{40} chunks=1 bytes=\d+\n$/);
    const listed = await cli(['release', 'files', '--org', 'widget-works', '3.1.4', '--json']);
    const artifacts = JSON.parse(listed.stdout) as Array<{ name: string; sha1: string; size: number; dist: string | null; headers: unknown }>;
    expect(artifacts.map((a) => [a.name, a.sha1, a.size, a.dist])).toEqual([
      ['~/main.js', sha1('main()'), 6, null],
      ['~/main.js.map', sha1('{"version":3}'), 13, null],
    ]);
    expect(artifacts[0]?.headers).toEqual({ sourcemap: 'main.js.map' });
  });

  it('exits 1 with the assemble error when the bundle is refused', async () => {
    const path = join(h.tempDir, '..', `cli-bad-${process.pid}.zip`);
    await writeFile(path, await buildBundle({ org: 'someone-else', release: '3.1.4', files: [{ path: 'files/_/_/x.js', content: 'x' }] }));
    const result = await cli(['assemble', '--org', 'widget-works', '--release', '3.1.4', '--wait', path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^error: organization does not match uploaded bundle\n/);
  });

  it('names the setting to change, in one line, when Postgres or Redis cannot be reached', async () => {
    const db = await cli(['org', 'create', 'x'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(db.code).toBe(1);
    expect(db.stderr).toMatch(/^assembler: cannot reach Postgres at .*set DATABASE_URL to a reachable database\n$/);
    const redis = await cli(['org', 'create', 'x'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(redis.code).toBe(1);
    expect(redis.stderr).toMatch(/^assembler: cannot reach Redis at .*set REDIS_URL to a reachable server\n$/);
  });

  it('reports every configuration error at once and shows help for every command', async () => {
    const bad = await cli(['worker'], { STORAGE_DRIVER: 's3', WORKER_CONCURRENCY: 'many' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/WORKER_CONCURRENCY/);
    expect(bad.stderr).toMatch(/S3_BUCKET: is required when STORAGE_DRIVER=s3/);
    for (const command of [[], ['assemble'], ['release', 'files'], ['org', 'create'], ['project', 'create'], ['worker'], ['all'], ['migrate']]) {
      const help = await cli([...command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: assembler/);
    }
  });
});
