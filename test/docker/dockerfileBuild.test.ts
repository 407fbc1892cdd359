import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = process.cwd();

type BuildStage = { copies: { sources: string[]; dest: string }[]; compileCommand: string };

/** The Dockerfile's `build` stage: its COPY lines (from the context) and the RUN that compiles with tsc. */
function parseBuildStage(dockerfile: string): BuildStage {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim());
  const start = lines.findIndex((l) => /^FROM\s+\S+\s+AS\s+build$/i.test(l));
  if (start < 0) throw new Error('Dockerfile has no `FROM ... AS build` stage');
  const end = lines.findIndex((l, i) => i > start && /^FROM\s/i.test(l));
  const stage = lines.slice(start + 1, end < 0 ? undefined : end);
  const copies = stage
    .filter((l) => /^COPY\s/i.test(l) && !/--from=/.test(l))
    .map((l) => {
      const args = l.split(/\s+/).slice(1).filter((a) => !a.startsWith('--'));
      return { sources: args.slice(0, -1), dest: args.at(-1)! };
    });
  const compileCommand = stage.find((l) => /^RUN\s.*\btsc\b/.test(l))?.replace(/^RUN\s+/, '');
  if (!compileCommand) throw new Error('the build stage has no RUN that compiles with tsc');
  return { copies, compileCommand };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('the Dockerfile build stage, replayed from exactly the files it copies', () => {
  let context: string;
  afterAll(async () => {
    if (context) await rm(context, { recursive: true, force: true });
  });

  it('compiles the service, and only the service, into dist/: its modules and the bundle the roles run', async () => {
    const { copies, compileCommand } = parseBuildStage(await readFile(join(repo, 'Dockerfile'), 'utf8'));
    context = await mkdtemp(join(tmpdir(), 'docker-build-stage-'));
    for (const { sources, dest } of copies) {
      for (const source of sources) {
        const target = dest.endsWith('/') ? join(context, dest, source.split('/').at(-1)!) : join(context, dest);
        await cp(join(repo, source), target, { recursive: true });
      }
    }
    // `npm ci` is not replayed (no network in tests): the checkout's installed node_modules stands in for it.
    await symlink(join(repo, 'node_modules'), join(context, 'node_modules'), 'dir');
    const env = { ...process.env, PATH: [join(context, 'node_modules', '.bin'), process.env.PATH].join(delimiter) };
    const result = await run('sh', ['-c', compileCommand], { cwd: context, env, timeout: 180_000 }).catch(
      (err: { stdout?: string; stderr?: string; message: string }) => ({ failed: `${err.message}\n${err.stdout ?? ''}` }),
    );
    expect(result).not.toHaveProperty('failed');

    const emitted = await listFiles(join(context, 'dist'));
    expect(emitted).toContain('src/main/cli.js');
    expect(emitted).toContain('service/cli.js');
    expect(emitted.filter((f) => !/^(src|service)\//.test(f) || /\.test\.js(\.map)?$/.test(f))).toEqual([]);
  }, 240_000);
});
