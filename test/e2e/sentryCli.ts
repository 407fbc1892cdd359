import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ApiHarness, type ApiHarnessOptions } from '../http/apiHarness.js';

const require = createRequire(import.meta.url);

/** The two real clients under test: `@sentry/cli` 2.58.6 and 3.x (installed under the alias `sentry-cli-v3`). */
export type CliMajor = 2 | 3;

/** Each package's own helper finds its platform binary; running the binary directly skips the Node wrapper. */
export function sentryCliBinary(major: CliMajor): string {
  const helper = require(major === 2 ? '@sentry/cli/js/helper.js' : 'sentry-cli-v3/js/helper.js') as { getPath(): string };
  return helper.getPath();
}

export interface CliTarget {
  url: string;
  token: string;
  org: string;
  project: string;
}

/** The server under test and the target that points sentry-cli at it (the harness's token, org and project). */
export interface CliServer {
  api: ApiHarness;
  target: CliTarget;
}

/** Starts the server on a free port. */
export async function startCliTarget(options: ApiHarnessOptions = {}): Promise<CliServer> {
  const api = await ApiHarness.create(options);
  try {
    return { api, target: { url: await api.listen(), token: api.token, org: api.organization.slug, project: api.project.slug } };
  } catch (err) {
    await api.close();
    throw err;
  }
}

/**
 * Registers the suite's beforeAll (start the server, hand it to `receive`, so the suite keeps plain variables) and
 * afterAll (close it, allowing 30 s as every suite did).
 */
export function useCliServer(options: ApiHarnessOptions, receive: (server: CliServer) => void): void {
  let api: ApiHarness | undefined;
  beforeAll(async () => {
    const server = await startCliTarget(options);
    api = server.api;
    receive(server);
  });
  afterAll(async () => {
    await api?.close();
  }, 30_000);
}

export interface CliResult {
  /** the exit code; 1 also when the process did not exit by itself (killed by a signal, or timed out) */
  code: number;
  /** the signal that ended the process, if one did */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs sentry-cli against the server with only the SENTRY_* settings given here: HOME points at an empty folder so no
 * ~/.sentryclirc leaks in, update checks are off, and retries are off so a 5xx fails at once instead of after ~20 s.
 */
export async function runSentryCli(major: CliMajor, target: CliTarget, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const home = await mkdtemp(join(tmpdir(), 'aa-cli-home-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    SENTRY_URL: target.url,
    SENTRY_AUTH_TOKEN: target.token,
    SENTRY_ORG: target.org,
    SENTRY_PROJECT: target.project,
    SENTRY_DISABLE_UPDATE_CHECK: 'true',
    SENTRY_HTTP_MAX_RETRIES: '0',
    SENTRY_LOG_LEVEL: 'warn',
    ...options.env,
  };
  return new Promise((resolve) => {
    execFile(sentryCliBinary(major), args, { env, cwd: options.cwd ?? home, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const exit = err as (Error & { code?: unknown; signal?: NodeJS.Signals | null }) | null;
      const code = exit ? (typeof exit.code === 'number' ? exit.code : 1) : 0;
      resolve({ code, signal: exit?.signal ?? null, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Throws with the CLI's own output when it did not exit 0, so a failing test shows what the client printed. */
export function expectSuccess(result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`sentry-cli exited ${result.signal ? `on ${result.signal}` : result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result;
}

export interface GeneratedDist {
  dir: string;
  /** path relative to dir → exact bytes written */
  files: Map<string, Buffer>;
}

/**
 * A build output as a bundler would leave it: `count` minified scripts, each with a source map beside it and a
 * `sourceMappingURL` comment, some in a sub-folder. Content depends on `seed`, so two builds differ when asked to.
 */
export async function generateDist(count: number, seed = 'build'): Promise<GeneratedDist> {
  const dir = await mkdtemp(join(tmpdir(), 'aa-dist-'));
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i += 1) {
    const path = i % 3 === 0 ? `assets/chunk-${i}.js` : `page-${i}.js`;
    const base = path.slice(path.lastIndexOf('/') + 1);
    const js = Buffer.from(`function f${i}(a,b){return a+b+${i}}console.log("${seed}",f${i}(1,2));\n//# sourceMappingURL=${base}.map\n`);
    const map = Buffer.from(
      JSON.stringify({ version: 3, file: base, sources: [`src/${seed}/page-${i}.ts`], sourcesContent: [`export const v${i} = ${i}; // ${seed}\n`], names: [], mappings: 'AAAA' }),
    );
    files.set(path, js);
    files.set(`${path}.map`, map);
  }
  for (const [path, bytes] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  return { dir, files };
}
