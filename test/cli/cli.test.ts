import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AssembleHarness } from '../support/assembleHarness.js';
import { buildBundle, sha1 } from '../support/bundles.js';
import { TEST_REDIS_URL } from '../support/database.js';
import { WorkerProcess } from '../support/workerProcess.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'dist', 'service', 'cli.js');

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
    expect(result.stderr).toBe('error: organization does not match uploaded bundle\n');
    expect(result.stdout).toMatch(/^checksum=[0-9a-f]{40} /);
  });

  it('says which bundle path it cannot read, before connecting to anything', async () => {
    const missing = join(h.tempDir, 'no-such-bundle.zip');
    const result = await cli(['assemble', '--org', 'widget-works', '--release', '3.1.4', missing]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `assembler: cannot read ${missing}: no such file\n` });
  });

  it('refuses option values that are not whole numbers as usage errors (exit 2), before doing anything', async () => {
    for (const value of ['abc', '-5', '1.5', '10s']) {
      const gc = await cli(['gc', '--grace-seconds', value]);
      expect(gc.code).toBe(2);
      expect(gc.stderr).toMatch(/--grace-seconds <n>' argument '.*' is invalid\. expected a whole number of at least 0/);
      expect(gc.stdout).toBe('');
    }
    const timeout = await cli(['assemble', '--org', 'widget-works', '--release', '3.1.4', '--timeout', 'soon', 'x.zip']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toMatch(/--timeout <seconds>' argument 'soon' is invalid/);
  });

  it('runs gc with a grace period below the blob renewal interval only when --force is given', async () => {
    const refused = await cli(['gc', '--grace-seconds', '3600']);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toBe(
      'assembler: a grace period of 3600 s is below the blob renewal interval (43200 s) and can delete blobs that are ' +
        'still in use; pass --force to run it anyway\n',
    );
    const forced = await cli(['gc', '--grace-seconds', '3600', '--force']);
    expect(forced).toMatchObject({ code: 0, stderr: '' });
    expect(forced.stdout).toMatch(/^removed \d+ unreferenced blobs and \d+ abandoned blob temp files\n$/);
    const safe = await cli(['gc', '--grace-seconds', '86400']);
    expect(safe).toMatchObject({ code: 0, stderr: '' });
  });

  it('ends quietly when the reader of its output goes away (a pipe into head)', async () => {
    const child = spawn(process.execPath, [CLI, 'release', 'files', '--org', 'widget-works', '3.1.4'], { env });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('names STORAGE_DIR, in one line at start, when it cannot be written', async () => {
    const blocker = join(h.tempDir, `storage-blocker-${process.pid}`);
    await writeFile(blocker, '');
    const result = await cli(['worker'], { STORAGE_DIR: join(blocker, 'blobs') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^assembler: cannot write to STORAGE_DIR ${join(blocker, 'blobs')} \\(.+\\); set STORAGE_DIR to a directory this process can write\n$`),
    );
  });

  it('names S3_BUCKET, in one line at start, when the bucket cannot be reached', async () => {
    const s3 = { STORAGE_DRIVER: 's3', S3_BUCKET: 'nowhere', S3_ENDPOINT: 'http://127.0.0.1:1', S3_FORCE_PATH_STYLE: 'true', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' };
    const result = await cli(['worker'], s3);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^assembler: cannot write to S3_BUCKET nowhere at http:\/\/127\.0\.0\.1:1 \(.+\); check S3_BUCKET, S3_ENDPOINT and the S3 credentials\n$/);
  });

  it('says so when DATABASE_URL cannot be parsed', async () => {
    const result = await cli(['org', 'create', 'x'], { DATABASE_URL: 'postgres://u:secret@db:port/app' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/DATABASE_URL: not a parseable postgres:\/\/ URL/);
    expect(result.stderr).not.toMatch(/secret|unexpected error/);
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
