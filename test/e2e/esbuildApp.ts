import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

/**
 * A small multi-module app built for real with esbuild (bundled, minified, with source maps), and Node's own view of
 * where it throws: the ground truth of the symbolication tests. Nothing here resolves a position itself.
 */

export const APP_ORIGIN = 'http://example.com';

const SOURCES: Record<string, string> = {
  'src/main.js': `import { runJob } from './jobs.js';

function startApp(config) {
  const total = runJob(config.items);
  return total;
}

startApp({ items: [1, 2, 3] });
`,
  'src/jobs.js': `import { computeTotal } from './math.js';

export function runJob(items) {
  const doubled = items.map((n) => n * 2);
  return computeTotal(doubled);
}
`,
  'src/math.js': `export function computeTotal(values) {
  let sum = 0;
  for (const value of values) sum += value;
  return checkLimit(sum);
}

function checkLimit(sum) {
  if (sum > 5) {
    throw new Error(\`total \${sum} is over the limit\`);
  }
  return sum;
}
`,
};

export async function writeAppSources(root: string): Promise<void> {
  for (const [path, text] of Object.entries(SOURCES)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** Bundles `src/main.js` into `dist/static/<name>` (+ `.map`), minified, as a Node script. */
export async function buildApp(root: string, name: string, options: { sourcesContent: boolean }): Promise<string> {
  const outfile = join(root, 'dist/static', name);
  await build({
    entryPoints: [join(root, 'src/main.js')],
    bundle: true,
    minify: true,
    sourcemap: true,
    sourcesContent: options.sourcesContent,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

export async function copyInto(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, to);
}

/** One `at` line of a Node stack trace. */
export interface NodeFrame {
  function: string | undefined;
  file: string;
  line: number;
  column: number;
}

/** Runs the script (it throws) and parses the frames Node prints, innermost first. */
export async function nodeStackTrace(script: string, options: { enableSourceMaps: boolean }): Promise<NodeFrame[]> {
  const args = [...(options.enableSourceMaps ? ['--enable-source-maps'] : []), script];
  const stderr = await new Promise<string>((resolve) => {
    execFile(process.execPath, args, { timeout: 30_000 }, (_err, _stdout, err) => resolve(String(err)));
  });
  const frames = stderr.split('\n').flatMap((line) => {
    const match = /^\s+at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    return match ? [{ function: match[1], file: match[2]!, line: Number(match[3]), column: Number(match[4]) }] : [];
  });
  if (frames.length === 0) throw new Error(`no stack trace in Node's output:\n${stderr}`);
  return frames;
}

/** A file of the build as the browser-like URL the events carry; anything else (node:internal) as Node names it. */
export function urlOf(root: string, file: string): string {
  const rel = relative(root, file);
  return file.startsWith('/') && !rel.startsWith('..') ? `${APP_ORIGIN}/${rel}` : file;
}
