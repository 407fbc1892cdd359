import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken } from '../../src/auth/apiTokens.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { createProject } from '../../src/orgs/createProject.js';
import type { ApiHarness } from '../http/apiHarness.js';
import { TEST_REDIS_URL } from '../support/database.js';
import { APP_ORIGIN, buildApp, copyInto, nodeStackTrace, urlOf, writeAppSources, type NodeFrame } from './esbuildApp.js';
import { expectSuccess, runSentryCli, useCliServer, type CliTarget } from './sentryCli.js';

// Ground truth from a real build: esbuild bundles and minifies a three-module app, Node throws inside it, and Node's
// own --enable-source-maps output gives the original positions. The artifacts are uploaded by the unmodified
// sentry-cli 2.x, and the raw (minified) trace symbolicated by the server must give the same file, line, column and
// function for every frame Node resolves.

interface Frame {
  abs_path: string;
  filename?: string;
  function?: string;
  lineno: number;
  colno?: number;
  context_line?: string;
  pre_context?: string[];
  data: { sourcemap?: string; resolved_with?: string; symbolicated: boolean; sourcemap_origin?: unknown };
}
interface Answer {
  status: string;
  stacktraces: Array<{ frames: Frame[] }>;
  raw_stacktraces: Array<{ frames: Frame[] }>;
  errors?: Array<{ abs_path: string; type: string; [key: string]: unknown }>;
}

/** The request's frames, oldest first (Sentry's order), from Node's raw trace (innermost first). */
function requestFrames(root: string, raw: NodeFrame[], rename: (url: string) => string = (url) => url) {
  return [...raw].reverse().map((frame) => ({
    abs_path: rename(urlOf(root, frame.file)),
    lineno: frame.line,
    colno: frame.column,
    ...(frame.function ? { function: frame.function } : {}),
  }));
}

/** What Node printed for the frames it resolved into our sources, in the request's order, as URLs. */
function expectedFrames(root: string, raw: NodeFrame[], resolved: NodeFrame[]) {
  return [...resolved]
    .map((frame, i) => ({ frame, inBundle: raw[i]!.file.startsWith(root) }))
    .reverse()
    .map(({ frame, inBundle }) => (inBundle ? { abs_path: urlOf(root, frame.file), lineno: frame.line, colno: frame.column, function: frame.function } : null));
}

function pick(frame: Frame) {
  return { abs_path: frame.abs_path, lineno: frame.lineno, colno: frame.colno, function: frame.function };
}

const CLI = join(process.cwd(), 'dist', 'service', 'cli.js');

/** The built `assembler` command against the harness's database, Redis and storage. */
async function assemblerCli(api: ApiHarness, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const h = api.assembly;
  const env = { PATH: process.env.PATH ?? '', DATABASE_URL: h.testDb.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: h.prefix, STORAGE_DIR: h.storageDir, TEMP_DIR: h.tempDir, LOG_LEVEL: 'warn' };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function symbolicate(api: ApiHarness, body: unknown, options: { org?: string; project?: string; token?: string } = {}) {
  const res = await api.inject({
    method: 'POST',
    url: `/api/0/projects/${options.org ?? 'acme'}/${options.project ?? 'web'}/symbolicate/`,
    payload: body as Record<string, unknown>,
    ...(options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {}),
  });
  return res;
}

describe('symbolication of an esbuild build uploaded as artifact bundles with debug ids (sentry-cli 2.x inject)', () => {
  let api: ApiHarness;
  let target: CliTarget;
  useCliServer({}, (server) => {
    ({ api, target } = server);
  });

  it('gives the same file, line, column and function as Node for every frame Node resolves, and keeps other orgs out', async () => {
    const root = await mkdtemp(join(tmpdir(), 'aa-symbolicate-'));
    await writeAppSources(root);
    const script = await buildApp(root, 'app.min.js', { sourcesContent: true });
    expectSuccess(await runSentryCli(2, target, ['sourcemaps', 'inject', join(root, 'dist')]));
    const debugId = /\/\/# debugId=([0-9a-f-]{36})/.exec(await readFile(script, 'utf8'))?.[1];
    expect(debugId).toBeDefined();
    expectSuccess(await runSentryCli(2, target, ['sourcemaps', 'upload', '--url-prefix', '~/dist/static', '--wait', join(root, 'dist/static')]));

    // Node runs the injected file: the positions are those of the bytes that were uploaded
    const raw = await nodeStackTrace(script, { enableSourceMaps: false });
    const resolved = await nodeStackTrace(script, { enableSourceMaps: true });
    expect(resolved).toHaveLength(raw.length);
    const body = {
      stacktraces: [{ frames: requestFrames(root, raw) }],
      modules: [{ type: 'sourcemap', code_file: urlOf(root, script), debug_id: debugId }],
    };
    const res = await symbolicate(api, body);
    expect(res.statusCode).toBe(200);
    const answer = res.json<Answer>();
    expect(answer.status).toBe('completed');

    const expected = expectedFrames(root, raw, resolved);
    expect(expected.filter(Boolean).length).toBeGreaterThanOrEqual(5);
    answer.stacktraces[0]!.frames.forEach((frame, i) => {
      const want = expected[i];
      if (want) {
        expect(pick(frame)).toEqual(want);
        expect(frame.data).toMatchObject({ symbolicated: true, resolved_with: 'debug-id', sourcemap: `${APP_ORIGIN}/dist/static/app.min.js.map` });
        // context from the map's sourcesContent: the original line Node reports
        expect(frame.context_line).toBeDefined();
      } else {
        expect(frame.data.symbolicated).toBe(false);
      }
    });
    const thrower = answer.stacktraces[0]!.frames.at(-1)!;
    expect(thrower).toMatchObject({ function: 'checkLimit', filename: '../../src/math.js', context_line: '    throw new Error(`total ${sum} is over the limit`);' });
    expect(thrower.pre_context?.at(-1)).toBe('  if (sum > 5) {');
    // the raw frames come back unchanged (plus the minified context), and Node's own internals were never uploaded
    expect(answer.raw_stacktraces[0]!.frames.map((f) => [f.abs_path, f.lineno, f.colno])).toEqual(body.stacktraces[0]!.frames.map((f) => [f.abs_path, f.lineno, f.colno]));
    expect(answer.errors?.every((e) => e.type === 'missing_source' && e.abs_path.startsWith('node:'))).toBe(true);

    // another organisation, with its own project and token, names the same debug id and reaches nothing
    const other = await createOrganization(api.assembly.orgDeps(), { name: 'Other', slug: 'other' });
    await createProject(api.assembly.orgDeps(), { organizationSlug: other.slug, name: 'Web', slug: 'web' });
    const { token } = await createApiToken(api.db, { organizationSlug: other.slug, name: 'other' });
    const theirs = await symbolicate(api, body, { org: 'other', token });
    expect(theirs.statusCode).toBe(200);
    const theirAnswer = theirs.json<Answer>();
    expect(theirAnswer.stacktraces[0]!.frames.every((f) => !f.data.symbolicated)).toBe(true);
    expect(theirAnswer.errors?.find((e) => e.abs_path === urlOf(root, script))?.type).toBe('missing_source');
    // and their token does not open our project's route
    expect((await symbolicate(api, body, { token })).statusCode).toBeGreaterThanOrEqual(400);
  });
});

describe('symbolication of release files without debug ids (UPLOAD_ACCEPT=release_files, sentry-cli 2.x)', () => {
  let api: ApiHarness;
  let target: CliTarget;
  useCliServer({ uploads: { accept: ['release_files'] } }, (server) => {
    ({ api, target } = server);
  });

  it('resolves by release + URL and answers each broken artifact with its own error while other frames resolve', async () => {
    const root = await mkdtemp(join(tmpdir(), 'aa-symbolicate-rf-'));
    await writeAppSources(root);
    const script = await buildApp(root, 'app.min.js', { sourcesContent: true });
    const noContent = await buildApp(root, 'nocontent.min.js', { sourcesContent: false });
    const minified = await readFile(script, 'utf8');
    // the same code pointing at a map nobody uploads, and at a map that is not JSON
    await writeFile(join(root, 'dist/static/missing.min.js'), minified.replace('app.min.js.map', 'missing.min.js.map'));
    await writeFile(join(root, 'dist/static/malformed.min.js'), minified.replace('app.min.js.map', 'malformed.min.js.map'));
    await writeFile(join(root, 'dist/static/malformed.min.js.map'), '{"version": 3, "sources": ["../../src/ma');
    // the originals of two of the three modules, uploaded on their own (the nocontent map has no sourcesContent)
    const originals = join(root, 'originals');
    await copyInto(join(root, 'src/math.js'), join(originals, 'math.js'));
    await copyInto(join(root, 'src/jobs.js'), join(originals, 'jobs.js'));

    expectSuccess(await runSentryCli(2, target, ['releases', 'new', '2.0.0']));
    const upload = (prefix: string, dir: string) =>
      runSentryCli(2, target, ['sourcemaps', 'upload', '--release', '2.0.0', '--url-prefix', prefix, '--no-rewrite', '--no-sourcemap-reference', '--wait', dir]);
    expectSuccess(await upload('~/dist/static', join(root, 'dist/static')));
    expectSuccess(await upload('~/src', originals));

    const raw = await nodeStackTrace(script, { enableSourceMaps: false });
    const resolved = await nodeStackTrace(script, { enableSourceMaps: true });
    const frames = requestFrames(root, raw);
    const res = await symbolicate(api, { stacktraces: [{ frames }], modules: [], release: '2.0.0' });
    expect(res.statusCode).toBe(200);
    const answer = res.json<Answer>();
    const expected = expectedFrames(root, raw, resolved);
    answer.stacktraces[0]!.frames.forEach((frame, i) => {
      const want = expected[i];
      if (want) {
        expect(pick(frame)).toEqual(want);
        expect(frame.data).toMatchObject({ symbolicated: true, resolved_with: 'release-old' });
      }
    });
    expect(expected.filter(Boolean).length).toBeGreaterThanOrEqual(5);

    // a map without sourcesContent: same positions as Node; context from the originals uploaded on their own, and
    // `missing_source_content` for the module whose original nobody uploaded (main.js)
    const rawNoContent = await nodeStackTrace(noContent, { enableSourceMaps: false });
    const resolvedNoContent = await nodeStackTrace(noContent, { enableSourceMaps: true });
    const noContentUrl = urlOf(root, noContent);
    const noContentRes = await symbolicate(api, { stacktraces: [{ frames: requestFrames(root, rawNoContent) }], release: '2.0.0' });
    const noContentAnswer = noContentRes.json<Answer>();
    const expectedNoContent = expectedFrames(root, rawNoContent, resolvedNoContent);
    noContentAnswer.stacktraces[0]!.frames.forEach((frame, i) => {
      const want = expectedNoContent[i];
      if (!want) return;
      expect(pick(frame)).toEqual(want);
      if (want.abs_path.endsWith('/src/main.js')) expect(frame.context_line).toBeUndefined();
      else expect(frame.context_line).toBeDefined();
    });
    const thrower = noContentAnswer.stacktraces[0]!.frames.at(-1)!;
    expect(thrower.context_line).toBe('    throw new Error(`total ${sum} is over the limit`);');
    expect(noContentAnswer.errors).toContainEqual({
      abs_path: noContentUrl,
      type: 'missing_source_content',
      source: `${APP_ORIGIN}/src/main.js`,
      sourcemap: `${APP_ORIGIN}/dist/static/nocontent.min.js.map`,
    });

    // one request mixing every broken case with good frames: each has its error, the good frames still resolve
    const innermost = frames.at(-1)!;
    const mixed = [
      ...frames,
      { ...innermost, abs_path: `${APP_ORIGIN}/dist/static/missing.min.js` },
      { ...innermost, abs_path: `${APP_ORIGIN}/dist/static/malformed.min.js` },
      { ...innermost, lineno: 400 },
      { ...innermost, abs_path: `${APP_ORIGIN}/dist/static/nobody-uploaded.js` },
    ];
    const mixedAnswer = (await symbolicate(api, { stacktraces: [{ frames: mixed }], release: '2.0.0' })).json<Answer>();
    const out = mixedAnswer.stacktraces[0]!.frames;
    expected.forEach((want, i) => {
      if (want) expect(pick(out[i]!)).toEqual(want);
    });
    expect(out.slice(frames.length).map((f) => f.data.symbolicated)).toEqual([false, false, false, false]);
    expect(out.slice(frames.length).map((f) => [f.abs_path, f.lineno])).toEqual(mixed.slice(frames.length).map((f) => [f.abs_path, f.lineno]));
    const errors = mixedAnswer.errors ?? [];
    expect(errors).toContainEqual({ abs_path: `${APP_ORIGIN}/dist/static/missing.min.js`, type: 'missing_sourcemap' });
    expect(errors).toContainEqual({
      abs_path: `${APP_ORIGIN}/dist/static/malformed.min.js`,
      type: 'malformed_sourcemap',
      url: `${APP_ORIGIN}/dist/static/malformed.min.js.map`,
    });
    expect(errors).toContainEqual({ abs_path: urlOf(root, script), type: 'invalid_location', line: 400, col: innermost.colno });
    expect(errors).toContainEqual({ abs_path: `${APP_ORIGIN}/dist/static/nobody-uploaded.js`, type: 'missing_source' });

    // the command line does the same from a request file: --json is the route's answer, without it a readable trace
    const requestFile = join(root, 'request.json');
    await writeFile(requestFile, JSON.stringify({ stacktraces: [{ frames }], release: '2.0.0' }));
    const cliJson = await assemblerCli(api, ['symbolicate', '--org', 'acme', '--project', 'web', requestFile, '--json']);
    expect(cliJson.code).toBe(0);
    expect(JSON.parse(cliJson.stdout)).toEqual(answer);
    const readable = await assemblerCli(api, ['symbolicate', '--org', 'acme', '--project', 'web', requestFile]);
    expect(readable.code).toBe(0);
    const thrown = expected.at(-1)!;
    expect(readable.stdout.split('\n').slice(0, 2)).toEqual([
      `    at ${thrown.function} (${thrown.abs_path}:${thrown.lineno}:${thrown.colno})`,
      '        throw new Error(`total ${sum} is over the limit`);',
    ]);
    expect(readable.stdout).toMatch(/\[not symbolicated\]/);
    expect(readable.stdout).toMatch(/errors:\n {4}missing_source {2}node:/);

    // without the release nothing is found by URL: the frames come back as they were
    const noRelease = (await symbolicate(api, { stacktraces: [{ frames }] })).json<Answer>();
    expect(noRelease.stacktraces[0]!.frames.every((f) => !f.data.symbolicated)).toBe(true);
  });

  it('refuses a body that is not a symbolication request with a 400', async () => {
    const res = await symbolicate(api, { stacktraces: [{ frames: [{ lineno: 1 }] }] });
    expect(res.statusCode).toBe(400);
  });
});
