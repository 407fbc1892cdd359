// The build behind `npm start`: scripts/build-if-stale.mjs run as `npm run build` runs it, on a copy of the
// checkout in a temp folder (its root is the folder above the script, so the repository's own dist/ is untouched).
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = process.cwd();

async function listFiles(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('npm run build (scripts/build-if-stale.mjs)', () => {
  let root: string;
  const build = () => run(process.execPath, [join(root, 'scripts', 'build-if-stale.mjs')], { cwd: root, timeout: 120_000 });
  const stampTime = async () => (await stat(join(root, 'dist', '.build-stamp'))).mtimeMs;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'build-if-stale-'));
    for (const name of ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json']) {
      await cp(join(repo, name), join(root, name), { recursive: true });
    }
    await mkdir(join(root, 'scripts'));
    for (const script of ['build-if-stale.mjs', 'bundle-service.mjs']) await cp(join(repo, 'scripts', script), join(root, 'scripts', script));
    await symlink(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('emits one module per source file of tsconfig.build.json and the bundled service; the CLI runs from both', async () => {
    await build();
    const sources = (await listFiles(join(root, 'src'), '.ts')).filter((f) => !f.endsWith('.test.ts'));
    const emitted = await listFiles(join(root, 'dist', 'src'), '.js');
    expect(emitted).toEqual(sources.map((f) => f.replace(/\.ts$/, '.js')).sort());

    // A usage error is answered by the compiled CLI, file by file and bundled, before it connects to anything.
    for (const cli of ['dist/src/main/cli.js', 'dist/service/cli.js']) {
      const usage = await run(process.execPath, [cli, 'gc', '--grace-seconds', 'abc'], { cwd: root }).catch(
        (err: { code: number; stderr: string }) => err,
      );
      expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('--grace-seconds') });
    }
  });

  it('does nothing when no source is newer than the last build, and rebuilds when one is', async () => {
    const builtAt = await stampTime();
    await build();
    expect(await stampTime()).toBe(builtAt);

    const later = new Date(Date.now() + 5_000);
    await utimes(join(root, 'src', 'main', 'cli.ts'), later, later);
    await build();
    expect(await stampTime()).toBeGreaterThan(builtAt);
  });

  it('rebuilds a checkout built before the bundle existed (a fresh stamp, no dist/service/)', async () => {
    await build();
    // a stamp newer than every source (the test above dated one a few seconds ahead)
    const stampedAt = new Date(Date.now() + 60_000);
    await utimes(join(root, 'dist', '.build-stamp'), stampedAt, stampedAt);
    await rm(join(root, 'dist', 'service'), { recursive: true });
    await build();
    expect(await listFiles(join(root, 'dist', 'service'), '.js')).toContain('cli.js');
  });

  it('does not type-check (npm test does): a type error does not keep the service from starting', async () => {
    await writeFile(join(root, 'src', 'typeErrorProbe.ts'), "export const answer: number = 'forty-two';\n");
    await expect(build()).resolves.toBeDefined();
    const emitted = await listFiles(join(root, 'dist', 'src'), '.js');
    expect(emitted).toContain('typeErrorProbe.js');
  });
});
