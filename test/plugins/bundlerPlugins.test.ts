import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCliTarget } from '../e2e/sentryCli.js';
import type { ApiHarness } from '../http/apiHarness.js';
import { lookupAsSymbolicator } from '../support/symbolicatorConsumer.js';
import { createPluginApp, readTree, REPO_ROOT } from './pluginApp.js';

/**
 * Sentry's four bundler plugins, each building the same small app through its tool's Node API (in a child process,
 * see buildWithPlugin.mjs) against our server on 127.0.0.1. The vite and webpack plugins (11.x) upload through
 * Sentry's new JavaScript CLI (`sentry` package, in-process); the rollup and esbuild plugins (5.x) spawn @sentry/cli
 * 2.x's binary from its platform package. Nothing is downloaded: the build runs with telemetry and update checks off.
 */
const BUNDLERS = ['vite', 'webpack', 'rollup', 'esbuild'] as const;
type Bundler = (typeof BUNDLERS)[number];

const ORG = '/api/0/organizations/acme';
const LOOKUP = '/api/0/projects/acme/web/artifact-lookup/';
/**
 * Routes the plugins call that we deliberately do not serve. Sentry's new CLI (vite and webpack plugins 11.x) asks
 * for the organisation's details only to read `links.regionUrl`; on any error it keeps the configured `url`, which is
 * where it must send everything anyway, so a 404 costs nothing (README, "Bundler plugins").
 */
const DELIBERATELY_ABSENT = new Set(['404 GET /api/0/organizations/acme/']);
/** The plugins inject a snippet that registers the script's debug id (`sentry-dbid-<id>`) into every chunk they map. */
const INJECTED_DEBUG_ID = /sentry-dbid-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;

/**
 * A source map as JSON with `sources` cut to their path below the last `../` and without a `webpack://` scheme: the
 * CLIs rewrite both in the copy they upload (relative to the copy's folder; the new CLI drops the scheme).
 */
function comparableSourceMap(bytes: Buffer): Record<string, unknown> {
  const map = JSON.parse(bytes.toString('utf8')) as Record<string, unknown> & { sources?: string[] };
  delete map.debugId;
  return { ...map, sources: map.sources?.map((source) => source.replace(/^webpack:\/\//, '').replace(/^(\.\.\/)+/, '')) };
}

interface BuildResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runBuild(bundler: Bundler, env: Record<string, string>): Promise<BuildResult> {
  return new Promise((resolve) => {
    const script = join(REPO_ROOT, 'test', 'plugins', 'buildWithPlugin.mjs');
    execFile(process.execPath, [script, bundler], { env, cwd: env.APP_DIR, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('Sentry bundler plugins against our server', () => {
  let api: ApiHarness;
  let url: string;
  /** Every request the plugins made, with our answer's status: the routes a plugin needs and we do not serve show up here. */
  const seen: { method: string; path: string; status: number }[] = [];

  beforeAll(async () => {
    const server = await startCliTarget();
    api = server.api;
    url = server.target.url;
    api.app.server.on('request', (req, res) => {
      res.on('finish', () => seen.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', status: res.statusCode }));
    });
  });
  afterAll(async () => {
    await api?.close();
  }, 30_000);

  it.each(BUNDLERS)('%s: the build uploads its release and debug-id bundle, and every emitted script is found by its debug id', async (bundler) => {
    const app = await createPluginApp();
    const home = await mkdtemp(join(tmpdir(), 'aa-plugin-home-'));
    const release = `plugin-e2e-${bundler}@1.0.0`;
    const from = seen.length;
    const build = await runBuild(bundler, {
      PATH: process.env.PATH ?? '',
      HOME: home,
      SENTRY_CONFIG_DIR: join(home, '.sentry'),
      SENTRY_CLI_NO_TELEMETRY: '1',
      SENTRY_CLI_NO_UPDATE_CHECK: '1',
      SENTRY_DISABLE_UPDATE_CHECK: 'true',
      DO_NOT_TRACK: '1',
      APP_DIR: app.dir,
      OUT_DIR: app.outDir,
      PLUGIN_DEBUG: '1',
      SENTRY_TARGET: JSON.stringify({ url, org: api.organization.slug, project: api.project.slug, authToken: api.token, release }),
    });
    const calls = seen.slice(from);
    const transcript = `exit ${build.code}\nrequests:\n${calls.map((c) => `${c.status} ${c.method} ${c.path}`).join('\n')}\nstdout:\n${build.stdout}\nstderr:\n${build.stderr}`;
    if (build.code !== 0) throw new Error(`${bundler} build failed\n${transcript}`);

    // Every route the plugin called answered, but for the documented absences; a route we do not serve is a 404 here.
    const refused = calls.map((c) => `${c.status} ${c.method} ${c.path}`).filter((call) => Number(call.slice(0, 3)) >= 400);
    expect(refused.filter((call) => !DELIBERATELY_ABSENT.has(call))).toEqual([]);
    // The plugins report upload failures as warnings or errors and still exit 0, so their log is checked too (the
    // failing `set-commits --auto` in a folder that is no git checkout is a debug line, and not ours to answer).
    expect(`${build.stdout}\n${build.stderr}`).not.toMatch(/\] (Error|Warning|Warn):|WARNING|✖/);

    const created = await api.inject({ method: 'GET', url: `${ORG}/releases/${encodeURIComponent(release)}/` });
    expect(created.statusCode).toBe(200);
    expect(created.json<{ version: string }>().version).toBe(release);

    const output = await readTree(app.outDir);
    const scripts = [...output].filter(([path]) => path.endsWith('.js'));
    const withDebugId = scripts.flatMap(([path, bytes]) => {
      const match = INJECTED_DEBUG_ID.exec(bytes.toString('utf8'));
      return match?.[1] ? [{ path, bytes, debugId: match[1] }] : [];
    });
    // The entry and the lazily loaded receipt chunk; esbuild's plugin injects debug ids through entry points only.
    expect(withDebugId.length).toBeGreaterThanOrEqual(bundler === 'esbuild' ? 1 : 2);

    // Symbolicator's way in: one lookup by debug id, every answered `url` fetched with the token, bundles unpacked.
    const lookupUrl = `${url}${LOOKUP}`;
    for (const script of withDebugId) {
      // The plugins do not wait for assembly (sentry-cli without --wait exits on `created`), so on a loaded machine
      // the bundle may still be assembling when the build returns: look up until it is stored, for at most 30 s.
      let files: Awaited<ReturnType<typeof lookupAsSymbolicator>>['files'] = [];
      let minified: (typeof files)[number] | undefined;
      let sourceMap: (typeof files)[number] | undefined;
      for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 250))) {
        ({ files } = await lookupAsSymbolicator({ lookupUrl, token: api.token, debugIds: [script.debugId] }));
        const ofScript = files.filter((f) => f.headers['debug-id'] === script.debugId);
        minified = ofScript.find((f) => f.fileType === 'minified_source');
        sourceMap = ofScript.find((f) => f.fileType === 'source_map');
        if ((minified && sourceMap) || Date.now() > deadline) break;
      }
      if (!minified || !sourceMap) throw new Error(`${script.path} (${script.debugId}) not found: ${JSON.stringify(files.map((f) => [f.url, f.fileType, f.headers]))}\n${transcript}`);
      // (The plugins upload copies named after the debug id, `~/<debug id>-<n>.js`: the debug id, not the path, finds them.)
      // The CLIs upload a copy of each file with the debug id written in: a `//# debugId=` comment appended to the
      // script, `debug_id` added to the map (and `sources` re-relativised to the copy's folder). Read back, the
      // script is the build output byte for byte plus exactly that comment; the map carries the same mappings.
      expect(minified.bytes.subarray(0, script.bytes.length).equals(script.bytes)).toBe(true);
      expect(minified.bytes.subarray(script.bytes.length).toString('utf8')).toMatch(new RegExp(`^\\n*//# debugId=${script.debugId}$`));
      const localMap = output.get(`${script.path}.map`);
      if (!localMap) throw new Error(`${script.path} has no source map in the build output`);
      expect(comparableSourceMap(sourceMap.bytes)).toEqual({ ...comparableSourceMap(localMap), debug_id: script.debugId });
    }
  }, 180_000);
});
