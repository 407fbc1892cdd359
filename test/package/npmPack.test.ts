import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ApiClient, type ReleaseFile } from '../../src/client/index.js';
import { FIXTURE, FIXTURES } from '../artifactBundles/sysbBundles.js';
import { startCliTarget } from '../e2e/sentryCli.js';
import type { ApiHarness } from '../http/apiHarness.js';
import { buildBundle, sha1 } from '../support/bundles.js';
import { TEST_REDIS_URL } from '../support/database.js';

const run = promisify(execFile);
const repo = process.cwd();
const CONSUMER_SCRIPTS = join(repo, 'test', 'package', 'consumer');
/** What a checkout holds that a clean clone does not: installs, build output, local data. */
const NOT_IN_A_CHECKOUT = new Set(['node_modules', 'dist', '.git', 'data', 'coverage', 'example']);
/** Node 24 first on PATH, for npm's lifecycle scripts as for ours. */
const env = { ...process.env, PATH: [dirname(process.execPath), process.env.PATH].join(delimiter) };

interface PackResult {
  filename: string;
  files: { path: string }[];
}

async function sh(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }) {
  try {
    return await run(file, args, { cwd: options.cwd, env: options.env ?? env, timeout: options.timeout ?? 60_000, maxBuffer: 16 * 2 ** 20 });
  } catch (err) {
    const e = err as { message: string; stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** A folder as `npm install <tarball>` leaves it: the tarball's `package/` unpacked as node_modules/artifact-assembler. */
async function installTarball(tarball: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aa-pack-consumer-'));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'other-service', private: true, type: 'module' }));
  const target = join(dir, 'node_modules', 'artifact-assembler');
  await mkdir(target, { recursive: true });
  await sh('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], { cwd: dir });
  return dir;
}

/** Links a package of the checkout's node_modules into the consumer's (its realpath resolves its own dependencies). */
async function linkFromCheckout(consumer: string, name: string): Promise<void> {
  const target = join(consumer, 'node_modules', name);
  await mkdir(dirname(target), { recursive: true });
  await symlink(join(repo, 'node_modules', name), target, 'dir');
}

/**
 * `npm pack` of a clean copy of the checkout (no dist/: prepack has to build the code and the declarations), then
 * the tarball installed into empty folders and used the way another service would: an ESM script on Node 24 and tsc.
 * No registry is asked (tests run offline): the package's declared `dependencies` are linked from the checkout's
 * node_modules, which is what `npm install` would fetch; the client runs with none of them present.
 */
describe('npm pack, installed into an empty folder', () => {
  const cleanups: string[] = [];
  let pack: PackResult;
  let tarball: string;
  let packed: { dependencies: Record<string, string>; exports?: unknown; private?: boolean };

  beforeAll(async () => {
    const checkout = await mkdtemp(join(tmpdir(), 'aa-pack-checkout-'));
    const out = await mkdtemp(join(tmpdir(), 'aa-pack-out-'));
    cleanups.push(checkout, out);
    await cp(repo, checkout, {
      recursive: true,
      filter: (source) => !(dirname(source) === repo && NOT_IN_A_CHECKOUT.has(basename(source))) && !source.endsWith('.log'),
    });
    await symlink(join(repo, 'node_modules'), join(checkout, 'node_modules'), 'dir');
    const { stdout } = await sh('npm', ['pack', '--json', '--pack-destination', out], { cwd: checkout, timeout: 240_000 });
    const [result] = JSON.parse(stdout.slice(stdout.indexOf('['))) as PackResult[];
    if (!result) throw new Error(`npm pack printed no result: ${stdout}`);
    pack = result;
    tarball = join(out, result.filename);
    packed = JSON.parse(await readFile(join(checkout, 'package.json'), 'utf8')) as typeof packed;
  }, 300_000);

  afterAll(async () => {
    for (const dir of cleanups) await rm(dir, { recursive: true, force: true });
  });

  it('ships the built service (bundled), its bin, migrations, README and the entries with declarations; no sources, tests or bench', () => {
    const paths = pack.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/assembler.js',
        'dist/src/main/cli.js',
        'dist/service/cli.js',
        'dist/src/client/index.js',
        'dist/src/client/index.d.ts',
        'dist/src/client/producer.js',
        'dist/src/client/producer.d.ts',
        'migrations/0001_core.sql',
      ]),
    );
    expect(
      paths.filter(
        (p) =>
          !/^(dist\/src\/.+\.(js|d\.ts)|dist\/service\/[^/]+\.(js|LEGAL\.txt)|bin\/[^/]+\.js|migrations\/[^/]+\.sql|package\.json|README\.md)$/.test(p),
      ),
    ).toEqual([]);
    expect(paths.filter((p) => /\.test\.|^(src|test|bench|dist\/test|dist\/bench)\//.test(p))).toEqual([]);
    expect(packed.private).toBe(true);
  });

  describe('used by another service', () => {
    let api: ApiHarness;
    let url: string;

    beforeAll(async () => {
      const server = await startCliTarget();
      api = server.api;
      url = server.target.url;
    });
    afterAll(async () => {
      await api?.close();
    }, 30_000);

    it('artifact-assembler/client from ESM on Node 24, with no dependency installed: release, bundle upload polled to ok, lookup by debug id', async () => {
      const consumer = await installTarball(tarball);
      cleanups.push(consumer);
      await cp(join(CONSUMER_SCRIPTS, 'client.mjs'), join(consumer, 'client.mjs'));
      const { stdout } = await sh(process.execPath, ['client.mjs'], {
        cwd: consumer,
        env: {
          PATH: env.PATH,
          AA_URL: url,
          AA_TOKEN: api.token,
          AA_BUNDLE: join(FIXTURES, `${FIXTURE.injected}.bundle.zip`),
          AA_DEBUG_ID: '4b405af9-c116-5f6d-9e2e-84f483a0645a',
        },
      });
      const seen = JSON.parse(stdout) as {
        graph: string[];
        release: string;
        answer: unknown;
        matchTypes: string[];
        sameBytes: boolean;
        missing: unknown;
        deepImport: string;
      };
      // the entry's whole import graph: its own files and Node's builtins, nothing else
      const entryDir = `file://${consumer}/node_modules/artifact-assembler/dist/src/client/`;
      expect(seen.graph).toContain(`${entryDir}index.js`);
      expect(seen.graph.filter((u) => !u.startsWith('node:') && !u.startsWith(entryDir))).toEqual([]);
      expect(seen.release).toBe('pack@1.0.0');
      expect(seen.answer).toEqual({ state: 'ok', detail: null, missingChunks: [] });
      expect(seen.matchTypes).toContain('bundle');
      expect(seen.sameBytes).toBe(true);
      expect(seen.missing).toEqual({ isApiError: true, status: 404, detail: expect.any(String) });
      // no import path into dist/src: only the exported entries
      expect(seen.deepImport).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    }, 60_000);

    it('artifact-assembler/producer with its declared dependencies: chunks into the shared store, assembly through the queue to ok', async () => {
      const consumer = await installTarball(tarball);
      cleanups.push(consumer);
      for (const name of Object.keys(packed.dependencies)) await linkFromCheckout(consumer, name);
      await cp(join(CONSUMER_SCRIPTS, 'producer.mjs'), join(consumer, 'producer.mjs'));
      const bundle = await buildBundle({
        release: 'producer@1.0.0',
        files: [
          { path: 'files/_/_/app.js', content: 'console.log("queued by another service");\n', headers: { Sourcemap: 'app.js.map' } },
          { path: 'files/_/_/app.js.map', content: '{"version":3,"sources":[],"mappings":""}', type: 'source_map' },
        ],
      });
      await writeFile(join(consumer, 'bundle.zip'), bundle);
      const client = new ApiClient({ url, token: api.token });
      await client.createRelease('acme', { version: 'producer@1.0.0', projects: ['web'] });
      const { stdout } = await sh(process.execPath, ['producer.mjs'], {
        cwd: consumer,
        env: {
          PATH: env.PATH,
          DATABASE_URL: api.assembly.testDb.url,
          REDIS_URL: TEST_REDIS_URL,
          REDIS_PREFIX: api.assembly.prefix,
          STORAGE_DIR: api.assembly.storageDir,
          AA_ORG_ID: api.organization.id,
          AA_BUNDLE: join(consumer, 'bundle.zip'),
          AA_VERSION: 'producer@1.0.0',
        },
      });
      const seen = JSON.parse(stdout) as { uploaded: { checksum: string }; requested: string; final: unknown };
      expect(seen.uploaded.checksum).toBe(sha1(bundle));
      expect(seen.final).toEqual({ state: 'ok', detail: null });
      // what the producer queued is what the API now serves
      const files = await client.listReleaseFiles('acme', 'producer@1.0.0');
      expect(files.map((f: ReleaseFile) => f.name).sort()).toEqual(['~/app.js', '~/app.js.map']);

      // the bin of the installed package still runs beside the exports
      const help = await sh(process.execPath, ['node_modules/artifact-assembler/bin/assembler.js', '--help'], { cwd: consumer });
      expect(help.stdout).toMatch(/Usage: assembler/);
    }, 60_000);
  });

  it('type-checks a TypeScript service importing both entries (tsc, module node16 and nodenext)', async () => {
    const consumer = await installTarball(tarball);
    cleanups.push(consumer);
    for (const name of Object.keys(packed.dependencies)) await linkFromCheckout(consumer, name);
    await linkFromCheckout(consumer, '@types/node'); // the consumer's own dev dependency, as in any Node TS project
    await writeFile(join(consumer, 'service.ts'), CONSUMER_TS);
    // the README's examples of both entries compile as they stand (orgId is the one name they leave to the reader)
    const examples = readmeExamples(await readFile(join(repo, 'README.md'), 'utf8'));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    const exampleFiles = examples.map((_, i) => `readme${i}.ts`);
    for (const [i, code] of examples.entries()) await writeFile(join(consumer, exampleFiles[i]!), `declare const orgId: string;\n${code}`);
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    // nodenext checks the declarations themselves too (and the dependencies' they reach); node16 only resolves
    // and checks the consumer's files against them, which is all that differs between the two
    for (const [resolution, libCheck] of [['nodenext', []], ['node16', ['--skipLibCheck']]] as const) {
      const args = [tsc, '--noEmit', '--strict', ...libCheck, '--module', resolution, '--moduleResolution', resolution, '--target', 'es2023', '--types', 'node', 'service.ts', ...exampleFiles];
      await sh(process.execPath, args, { cwd: consumer, timeout: 120_000 });
    }
  }, 180_000);
});

/** The README's TypeScript blocks that import one of the package's entries. */
function readmeExamples(readme: string): string[] {
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').filter((code) => /from 'artifact-assembler\//.test(code));
}

/**
 * Uses both entries with their types: a wrong call must be an error (`@ts-expect-error` fails when it is not, so an
 * entry typed `any` or missing its declarations fails the check).
 */
const CONSUMER_TS = `
import { ApiClient, ApiError, type AssembleAnswer, type LookupMatch, type Release } from 'artifact-assembler/client';
import { openProducer, type FinalStatus, type OpenedProducer } from 'artifact-assembler/producer';

export async function publish(bundle: Buffer): Promise<AssembleAnswer> {
  const client = new ApiClient({ url: 'https://artifacts.example.com', token: 'sntrys_x' });
  const release: Release = await client.createRelease('acme', { version: '1.0.0', projects: ['web'] });
  // @ts-expect-error version must be a string
  await client.createRelease('acme', { version: 1, projects: ['web'] });
  const matches: LookupMatch[] = await client.lookupArtifacts('acme', 'web', { debug_id: 'x' });
  try {
    await client.get<Release>(\`/organizations/acme/releases/\${release.version}/\`);
  } catch (err) {
    if (err instanceof ApiError) console.log(err.status, err.detail, err.body, matches.length);
  }
  return client.uploadArtifactBundle('acme', bundle, { projects: ['web'], version: release.version });
}

export async function produce(path: string): Promise<FinalStatus> {
  const producer: OpenedProducer = await openProducer(process.env);
  try {
    const uploaded = await producer.client.uploadBundle('1', path);
    // @ts-expect-error chunks is required
    await producer.client.requestReleaseBundle({ organizationId: '1', version: '1.0.0', checksum: uploaded.checksum });
    await producer.client.requestReleaseBundle({ organizationId: '1', version: '1.0.0', checksum: uploaded.checksum, chunks: uploaded.chunks });
    return await producer.client.waitForReleaseBundle({ organizationId: '1', checksum: uploaded.checksum });
  } finally {
    await producer.close();
  }
}
`;
