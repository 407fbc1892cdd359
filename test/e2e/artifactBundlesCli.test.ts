import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { ApiHarness } from '../http/apiHarness.js';
import { lookupAsSymbolicator } from '../support/symbolicatorConsumer.js';
import { expectSuccess, generateDist, runSentryCli, useCliServer, type CliMajor, type CliTarget, type GeneratedDist } from './sentryCli.js';

interface LookupMatch {
  type: string;
  url: string;
  abs_path: string | null;
  debug_id: string | null;
  release: string | null;
  dist: string | null;
}

// sentry-cli in its default mode (artifact bundles: the server advertises release_files, artifact_bundles and
// artifact_bundles_v2), 2.58.6 and 3.x, against the real server; then the lookup endpoint finds every uploaded file
// by debug id and by URL, and downloads give back the exact bytes.
describe('sentry-cli against the server (artifact bundles and lookup)', () => {
  let api: ApiHarness;
  let target: CliTarget;

  useCliServer({}, (server) => {
    ({ api, target } = server);
  });

  const upload = async (major: CliMajor, dir: string, flags: string[]) => {
    const result = expectSuccess(await runSentryCli(major, target, ['sourcemaps', 'upload', ...flags, '--wait', '--no-rewrite', dir]));
    expect(result.stdout).toContain('File processing complete');
    return result;
  };

  const lookup = async (params: Record<string, string>): Promise<LookupMatch[]> => {
    const res = await api.inject({ method: 'GET', url: `/api/0/projects/acme/web/artifacts/lookup/?${new URLSearchParams(params).toString()}` });
    expect(res.statusCode).toBe(200);
    return res.json() as LookupMatch[];
  };

  /** Sentry's artifact-lookup/, read as Symbolicator reads it (decoded strictly, downloaded with the token, unpacked). */
  const symbolicator = (query: { debugIds?: string[]; urls?: string[]; release?: string; dist?: string }) =>
    lookupAsSymbolicator({ lookupUrl: `${target.url}/api/0/projects/acme/web/artifact-lookup/`, token: target.token, ...query });

  /** Every file of the dist is among what the consumer finds, byte for byte. */
  const expectConsumerFinds = (found: Awaited<ReturnType<typeof symbolicator>>, dist: GeneratedDist, paths = [...dist.files.keys()]) => {
    for (const path of paths) {
      const file = found.files.find((f) => f.url === `~/${path}`);
      expect(file?.bytes.equals(dist.files.get(path) as Buffer)).toBe(true);
    }
  };

  const download = async (match: LookupMatch) => {
    const res = await api.inject({ method: 'GET', url: match.url });
    expect(res.statusCode).toBe(200);
    return res.rawPayload;
  };

  /**
   * Each file of the dist is found by its `~/` URL under the release and dist: the first file match (the bundle that
   * holds it comes just before it) is that file, and it downloads to the exact bytes.
   */
  const expectFoundByUrl = async (dist: GeneratedDist, release: string, distName?: string) => {
    for (const [path, bytes] of dist.files) {
      const matches = await lookup({ release, url: `~/${path}`, ...(distName ? { dist: distName } : {}) });
      const file = matches.find((m) => m.type !== 'bundle');
      expect(file).toMatchObject({ type: 'bundle_member', abs_path: `~/${path}`, release, dist: distName ?? null });
      expect((await download(file as LookupMatch)).equals(bytes)).toBe(true);
    }
    const urls = [...dist.files.keys()].map((path) => `/${path.replace(/\.js(\.map)?$/, '')}`);
    const found = await symbolicator({ release, ...(distName ? { dist: distName } : {}), urls });
    expect(found.elements.every((e) => e.type === 'bundle' && e.id.startsWith('artifact_bundle/'))).toBe(true);
    expectConsumerFinds(found, dist);
  };

  /** After `sourcemaps inject`, each script and its map are found by the script's debug id, with their exact bytes. */
  const expectFoundByDebugId = async (dist: GeneratedDist) => {
    const scripts = [...dist.files.keys()].filter((path) => path.endsWith('.js'));
    for (const path of scripts) {
      const debugId = /\/\/# debugId=([0-9a-f-]{36})/.exec((dist.files.get(path) as Buffer).toString())?.[1] as string;
      expect(debugId).toBeDefined();
      const matches = await lookup({ debug_id: debugId });
      const byPath = new Map(matches.map((m) => [m.abs_path, m]));
      for (const file of [path, `${path}.map`]) {
        const match = byPath.get(`~/${file}`);
        expect(match).toMatchObject({ type: 'bundle_member', debug_id: debugId });
        expect((await download(match as LookupMatch)).equals(dist.files.get(file) as Buffer)).toBe(true);
      }
      const found = await symbolicator({ debugIds: [debugId] });
      expect(found.elements.map((e) => e.resolved_with)).toEqual(found.elements.map(() => 'debug-id'));
      expectConsumerFinds(found, dist, [path, `${path}.map`]);
    }
    // all of the build's debug ids in one request, as Symbolicator asks for an event's modules
    const debugIds = scripts.map((path) => /\/\/# debugId=([0-9a-f-]{36})/.exec((dist.files.get(path) as Buffer).toString())![1]!);
    expectConsumerFinds(await symbolicator({ debugIds }), dist);
  };

  /** `sourcemaps inject` rewrites the files in place; the bytes to expect back are the injected ones. */
  const inject = async (major: CliMajor, dist: GeneratedDist) => {
    expectSuccess(await runSentryCli(major, target, ['sourcemaps', 'inject', dist.dir]));
    for (const path of dist.files.keys()) dist.files.set(path, await readFile(join(dist.dir, path)));
  };

  const count = async (query: ReturnType<typeof sql<{ n: string }>>) => Number((await query.execute(api.db)).rows[0]?.n);

  it('2.58.6 uploads with a release and dist; a re-upload uploads nothing and keeps one bundle; a second dist adds a link', async () => {
    const dist = await generateDist(6, 'ab-release-dist');
    const first = await upload(2, dist.dir, ['--release', '4.0.0', '--dist', 'web-1']);
    expect(first.stdout).toContain('Upload type: artifact bundle');
    await expectFoundByUrl(dist, '4.0.0', 'web-1');

    const again = await upload(2, dist.dir, ['--release', '4.0.0', '--dist', 'web-1']);
    expect(again.stdout).toContain('Nothing to upload, all files are on the server');
    expect(await count(sql<{ n: string }>`SELECT count(*) AS n FROM release_artifact_bundle WHERE release_name = '4.0.0' AND dist_name = 'web-1'`)).toBe(1);

    await upload(2, dist.dir, ['--release', '4.0.0', '--dist', 'web-2']);
    await expectFoundByUrl(dist, '4.0.0', 'web-2');
    await expectFoundByUrl(dist, '4.0.0', 'web-1');
    expect(await count(sql<{ n: string }>`SELECT count(DISTINCT dist_name) AS n FROM release_artifact_bundle WHERE release_name = '4.0.0'`)).toBe(2);
  });

  it('2.58.6 uploads injected sources with a release: found by debug id and by URL', async () => {
    const dist = await generateDist(4, 'ab-injected-release');
    await inject(2, dist);
    await upload(2, dist.dir, ['--release', '4.1.0']);
    await expectFoundByDebugId(dist);
    await expectFoundByUrl(dist, '4.1.0');
  });

  it('2.58.6 uploads injected sources without any release: found by debug id', async () => {
    const dist = await generateDist(4, 'ab-injected-no-release');
    await inject(2, dist);
    const result = await upload(2, dist.dir, []);
    expect(result.stdout).toContain('Upload type: artifact bundle');
    await expectFoundByDebugId(dist);
  });

  it('2.58.6 refuses an upload with neither a release nor debug ids before sending anything', async () => {
    const dist = await generateDist(2, 'ab-nothing');
    const bundles = await count(sql<{ n: string }>`SELECT count(*) AS n FROM artifact_bundle`);
    const result = await runSentryCli(2, target, ['sourcemaps', 'upload', dist.dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('You must either specify a release or have debug ids injected');
    expect(await count(sql<{ n: string }>`SELECT count(*) AS n FROM artifact_bundle`)).toBe(bundles);
  });

  it('3.x uploads with --wait (missing-chunks query first), found by URL; injected sources by debug id', async () => {
    const dist = await generateDist(5, 'ab-v3');
    await upload(3, dist.dir, ['--release', '5.0.0']);
    await expectFoundByUrl(dist, '5.0.0');

    const injected = await generateDist(3, 'ab-v3-injected');
    await inject(3, injected);
    await upload(3, injected.dir, ['--release', '5.0.1', '--dist', 'ios']);
    await expectFoundByDebugId(injected);
    await expectFoundByUrl(injected, '5.0.1', 'ios');
  });
});
