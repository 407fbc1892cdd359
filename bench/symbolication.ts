import { eachMapping } from '@jridgewell/trace-mapping';
import { build } from 'esbuild';
import { parseSourceMap } from '../src/domain/symbolication/parseSourceMap.js';
import type { SymbolicateJsRequest } from '../src/domain/symbolication/jsTypes.js';
import type { CachedValue } from '../src/symbolication/artifactStore.js';
import { ByteBoundedCache } from '../src/symbolication/byteBoundedCache.js';
import { symbolicateJs } from '../src/symbolication/symbolicateJs.js';
import { ArtifactBundleHarness } from '../test/artifactBundles/harness.js';
import { buildArtifactBundle } from '../test/artifactBundles/sysbBundles.js';

const DEBUG_ID = '5b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8';
const CODE_URL = 'https://bench.example.com/static/app.min.js';
const FRAMES = 50;
const COLD_RUNS = 15;
const WARM_RUNS = 200;
const TARGET_MAP_BYTES = 2 * 1024 * 1024;

export interface SymbolicationBench {
  mapBytes: number;
  parseP50Ms: number;
  coldP50Ms: number;
  coldP99Ms: number;
  warmP50Ms: number;
  warmP99Ms: number;
}

/** A real minified bundle and its map: `modules` modules of a few functions each, built by esbuild. */
async function buildLargeApp(modules: number): Promise<{ js: string; map: string }> {
  const files = new Map<string, string>();
  for (let m = 0; m < modules; m += 1) {
    const fns = Array.from({ length: 6 }, (_, f) => `export function step${m}_${f}(input) {\n  const scaled = input * ${f + 2} + ${m};\n  if (scaled > ${1000 + m}) {\n    return helper${m}(scaled - ${f});\n  }\n  return scaled;\n}\n`).join('\n');
    files.set(`/mod${m}.js`, `${fns}\nfunction helper${m}(value) {\n  return Math.round(value / ${m + 3});\n}\n`);
  }
  files.set('/main.js', Array.from({ length: modules }, (_, m) => `import * as m${m} from './mod${m}.js';`).join('\n') + `\nexport const all = [${Array.from({ length: modules }, (_, m) => `m${m}`).join(', ')}];\n`);
  const result = await build({
    entryPoints: ['/main.js'],
    bundle: true,
    minify: true,
    sourcemap: 'external',
    write: false,
    outfile: '/out/app.min.js',
    format: 'esm',
    logLevel: 'silent',
    plugins: [
      {
        name: 'memory',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => ({ path: args.path.startsWith('/') ? args.path : `/${args.path.replace(/^\.\//, '')}`, namespace: 'mem' }));
          b.onLoad({ filter: /.*/, namespace: 'mem' }, (args) => ({ contents: files.get(args.path) ?? '', loader: 'js' }));
        },
      },
    ],
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  return { js, map };
}

async function appNearTargetSize(): Promise<{ js: string; map: string }> {
  let modules = 400;
  for (;;) {
    const app = await buildLargeApp(modules);
    if (app.map.length >= TARGET_MAP_BYTES) return app;
    modules = Math.ceil((modules * TARGET_MAP_BYTES * 1.05) / app.map.length);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timeMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * A 50-frame trace against a ~2 MB source map stored in an artifact bundle (found by debug id): cold (a fresh cache,
 * so the bundle's directory, the minified file and the map are read and the map parsed) and warm (the cache of a
 * running server), beside trace-mapping parsing that map alone.
 */
export async function runSymbolicationBenchmark(): Promise<SymbolicationBench> {
  const { js, map } = await appNearTargetSize();
  const harness = await ArtifactBundleHarness.create({ worker: false });
  try {
    const bundle = await buildArtifactBundle({
      files: [
        { path: 'files/_/_/static/app.min.js', url: '~/static/app.min.js', content: js, headers: { 'debug-id': DEBUG_ID, sourcemap: 'app.min.js.map' } },
        { path: 'files/_/_/static/app.min.js.map', url: '~/static/app.min.js.map', type: 'source_map', content: map, headers: { 'debug-id': DEBUG_ID } },
      ],
    });
    await harness.runJob(bundle);
    const parsed = parseSourceMap(Buffer.from(map))!;
    const positions: Array<{ line: number; column: number }> = [];
    eachMapping(parsed, (m) => positions.push({ line: m.generatedLine, column: m.generatedColumn }));
    const step = Math.floor(positions.length / FRAMES);
    const request: SymbolicateJsRequest = {
      stacktraces: [
        {
          frames: Array.from({ length: FRAMES }, (_, i) => ({
            abs_path: CODE_URL,
            lineno: positions[i * step]!.line,
            colno: positions[i * step]!.column + 1,
            function: 'a',
            data: { symbolicated: false },
          })),
        },
      ],
      modules: [{ type: 'sourcemap', code_file: CODE_URL, debug_id: DEBUG_ID }],
      release: null,
      dist: null,
      applySourceContext: true,
    };
    const scope = { organizationId: harness.h.organization.id, projectId: harness.projects.web };
    const deps = (cache: ByteBoundedCache<CachedValue>) => ({ db: harness.db, blobs: harness.h.blobs, cache });
    const check = await symbolicateJs(deps(new ByteBoundedCache(256 * 2 ** 20)), scope, request);
    const resolved = check.stacktraces[0]!.frames.filter((f) => f.data.symbolicated).length;
    if (resolved !== FRAMES) throw new Error(`symbolication bench: ${resolved} of ${FRAMES} frames resolved`);

    const parse: number[] = [];
    for (let i = 0; i < COLD_RUNS; i += 1) parse.push(await timeMs(() => parseSourceMap(Buffer.from(map))));
    const cold: number[] = [];
    for (let i = 0; i < COLD_RUNS; i += 1) cold.push(await timeMs(() => symbolicateJs(deps(new ByteBoundedCache(256 * 2 ** 20)), scope, request)));
    const warmCache = new ByteBoundedCache<CachedValue>(256 * 2 ** 20);
    await symbolicateJs(deps(warmCache), scope, request);
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i += 1) warm.push(await timeMs(() => symbolicateJs(deps(warmCache), scope, request)));
    const result = {
      mapBytes: map.length,
      parseP50Ms: percentile(parse, 50),
      coldP50Ms: percentile(cold, 50),
      coldP99Ms: percentile(cold, 99),
      warmP50Ms: percentile(warm, 50),
      warmP99Ms: percentile(warm, 99),
    };
    const f = (ms: number) => `${ms.toFixed(2)} ms`;
    console.log(
      `symbolication, ${FRAMES} frames, ${(result.mapBytes / 2 ** 20).toFixed(1)} MB map: cold p50 ${f(result.coldP50Ms)} p99 ${f(result.coldP99Ms)} (n=${COLD_RUNS}), ` +
        `warm p50 ${f(result.warmP50Ms)} p99 ${f(result.warmP99Ms)} (n=${WARM_RUNS}); trace-mapping parse alone p50 ${f(result.parseP50Ms)}`,
    );
    return result;
  } finally {
    await harness.h.close();
  }
}

// `node dist/bench/symbolication.js` runs this row alone
if (process.argv[1]?.endsWith('symbolication.js')) {
  const { prepareTemplateDatabase } = await import('../test/support/templateDatabase.js');
  process.env.AA_TEST_TEMPLATE_DB ??= 'aa_bench_template';
  await prepareTemplateDatabase();
  await runSymbolicationBenchmark();
  process.exit(0);
}
