import { prepareTemplateDatabase } from '../test/support/templateDatabase.js';
import { createTestDatabase, TEST_REDIS_URL } from '../test/support/database.js';
import { artifactBundleRow } from './artifactBundles.js';
import { chunkUploadRows } from './chunkUpload.js';
import { benchDashboards } from './dashboards.js';
import { ReleaseBench, releaseBundleRows } from './releaseBundles.js';
import { runSymbolicationBenchmark } from './symbolication.js';
import { fmtSpread, pairRatios, runRows, spread, type BenchRowSpec, type RowResult, type RunSample, type Spread } from './rows.js';

/** `--quick`: one run of each row, for development; otherwise five, alternating ours and the floor. */
const RUNS = process.argv.includes('--quick') ? 1 : 5;
/** `--only <substring>`: only the rows whose key contains it (development) */
const ONLY_AT = process.argv.indexOf('--only');
/** without `--only`, every row (indexOf's -1 would otherwise pick argv[0], the node binary, and filter every row out) */
const ONLY: string | undefined = ONLY_AT < 0 ? undefined : process.argv[ONLY_AT + 1];

const mb = (bytes: number) => bytes / 2 ** 20;
const round = (value: number, digits = 3) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

interface Line {
  name: string;
  files: string;
  mbCell: string;
  value: string;
  floor: string;
  ratio: string;
  rss: string;
}

function seriesOf(samples: RunSample[], pick: (s: RunSample) => number | null | undefined): Spread | null {
  const values = samples.map(pick).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return values.length ? spread(values) : null;
}

const throughput = (s: RunSample) => (s.bytes ? mb(s.bytes) / s.seconds : NaN);

/** The printed line of a row and its JSON figures. */
function summarize(result: RowResult): { lines: Line[]; json: Record<string, number | null> } {
  const { spec, ours, floor } = result;
  const perSecond = spec.unit === 'MB/s';
  const value = seriesOf(ours, perSecond ? throughput : (s) => s.seconds);
  const floorValue = seriesOf(floor, perSecond ? throughput : (s) => s.seconds);
  // Seconds: ours / floor (below 1 beats the floor). MB/s: ours / floor of throughput (above 1 beats it).
  const ratios = perSecond
    ? pairRatios(floor.map((s) => s.seconds), ours.map((s) => s.seconds))
    : pairRatios(ours.map((s) => s.seconds), floor.map((s) => s.seconds));
  const ratio = ratios.length ? spread(ratios) : null;
  const rss = seriesOf(ours, (s) => s.peakRssMb);
  const bytes = ours[0]?.bytes;
  const lines: Line[] = [
    {
      name: spec.name,
      files: spec.files === undefined ? '-' : String(spec.files),
      mbCell: bytes ? mb(bytes).toFixed(1) : '-',
      value: value ? fmtSpread(value) : '-',
      floor: floorValue ? fmtSpread(floorValue) : '-',
      ratio: ratio ? `${fmtSpread(ratio)}x` : '-',
      rss: rss ? fmtSpread(rss, 0) : '-',
    },
  ];
  const json: Record<string, number | null> = {};
  const unitKey = perSecond ? 'mb_per_s' : 'seconds';
  json[`${spec.key}_${unitKey}`] = round(value?.median ?? NaN);
  if (spec.floor) {
    json[`${spec.floorKey ?? `${spec.key}_floor`}_${unitKey}`] = round(floorValue?.median ?? NaN);
    json[spec.ratioKey ?? `${spec.key}_vs_floor`] = round(ratio?.median ?? NaN, 2);
  }
  if (spec.storeFloor) {
    const store = ours.map((s) => s.parts?.store ?? NaN);
    const nodeFloor = floor.map((s) => s.parts?.['node inflate+sha1'] ?? NaN);
    const storeRatio = spread(pairRatios(store, nodeFloor));
    lines.push({
      name: `  store stage vs Node inflate+SHA-1 in memory`,
      files: '-',
      mbCell: '-',
      value: fmtSpread(spread(store)),
      floor: fmtSpread(spread(nodeFloor)),
      ratio: `${fmtSpread(storeRatio)}x`,
      rss: '-',
    });
    json[`${spec.key}_store_stage_seconds`] = round(spread(store).median);
    json[`${spec.key}_store_vs_node_floor`] = round(storeRatio.median, 2);
  }
  return { lines, json };
}

function printTable(lines: Line[]): void {
  const header: Line = { name: 'benchmark', files: 'files', mbCell: 'bundle MB', value: 'ours: median (min-max)', floor: 'floor: median (min-max)', ratio: 'ours/floor per pair: median (min-max)', rss: 'worker peak RSS MB' };
  const keys = Object.keys(header) as (keyof Line)[];
  const widths = keys.map((k) => Math.max(header[k].length, ...lines.map((l) => l[k].length)));
  const fmt = (l: Line) => keys.map((k, i) => (i === 0 ? l[k].padEnd(widths[i] ?? 0) : l[k].padStart(widths[i] ?? 0))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(fmt(line));
}

function printParts(results: RowResult[]): void {
  for (const { spec, ours, floor } of results) {
    const parts = (samples: RunSample[]) => {
      const names = [...new Set(samples.flatMap((s) => Object.keys(s.parts ?? {})))];
      return names.map((n) => `${n} ${spread(samples.map((s) => s.parts?.[n] ?? NaN)).median.toFixed(2)} s`).join(', ');
    };
    if (ours.some((s) => s.parts && Object.keys(s.parts).length)) console.log(`${spec.name}, ${spec.oursPartsName ?? 'worker stages'} (medians): ${parts(ours)}`);
    if (floor.length) console.log(`${spec.name}, floor parts (medians): ${parts(floor)}`);
    for (const name of new Set(floor.flatMap((s) => Object.keys(s.ratios ?? {})))) {
      console.log(`${spec.name}, ${name} (median, min-max over the pairs): ${fmtSpread(spread(floor.map((s) => s.ratios?.[name] ?? NaN)))}x`);
    }
  }
}

async function main(): Promise<void> {
  process.env.AA_TEST_TEMPLATE_DB = 'aa_bench_template';
  await prepareTemplateDatabase();
  let release: ReleaseBench | undefined;
  const releaseBench = () => release!;
  const artifact = artifactBundleRow();
  const uploads = chunkUploadRows();
  const rows: BenchRowSpec[] = [
    ...releaseBundleRows(releaseBench),
    artifact,
    ...uploads,
  ].filter((row) => !ONLY || row.key.includes(ONLY));
  release = await ReleaseBench.create();
  let results: RowResult[];
  try {
    results = await runRows(rows, RUNS, (line) => console.error(line));
  } finally {
    await release.close();
    await artifact.close();
    await Promise.all(uploads.map((u) => u.close()));
  }
  const summaries = results.map(summarize);
  printTable(summaries.flatMap((s) => s.lines));
  printParts(results);
  const idle = seriesOf(results.flatMap((r) => r.ours), (s) => s.idleRssMb);
  if (idle) console.log(`idle worker RSS (started, no job yet), over ${results.reduce((n, r) => n + r.ours.length, 0)} workers: ${fmtSpread(idle, 0)} MB`);
  const dashboards = !ONLY || 'dashboard'.includes(ONLY) ? await runDashboardBenchmark() : null;
  if (dashboards) {
    console.log(
      `dashboard reconcile, 30 widgets x 3 queries, through the queue: p50 ${dashboards.p50Ms.toFixed(1)} ms, p99 ${dashboards.p99Ms.toFixed(1)} ms (n=${dashboards.n})`,
    );
  }
  const symbolication = !ONLY || 'symbolication'.includes(ONLY) ? await runSymbolicationBenchmark() : null; // prints its own row
  const json = Object.assign({}, ...summaries.map((s) => s.json)) as Record<string, number | null>;
  const peak = (key: string) => seriesOf(results.find((r) => r.spec.key === key)?.ours ?? [], (s) => s.peakRssMb)?.median ?? null;
  console.log(
    JSON.stringify({
      runs: RUNS,
      ...json,
      peak_rss_mb_single_300mb: peak('single_300mb'),
      peak_rss_mb_artifact_bundle_1000: peak('artifact_bundle_1000'),
      idle_worker_rss_mb: idle?.median ?? null,
      dashboard_reconcile_p50_ms: dashboards ? Number(dashboards.p50Ms.toFixed(1)) : null,
      dashboard_reconcile_p99_ms: dashboards ? Number(dashboards.p99Ms.toFixed(1)) : null,
      symbolicate_warm_p50_ms: symbolication ? round(symbolication.warmP50Ms, 2) : null,
      symbolicate_cold_p50_ms: symbolication ? round(symbolication.coldP50Ms, 1) : null,
      sourcemap_parse_p50_ms: symbolication ? round(symbolication.parseP50Ms, 1) : null,
    }),
  );
}

async function runDashboardBenchmark() {
  const database = await createTestDatabase();
  try {
    return await benchDashboards({ db: database.db, redisUrl: TEST_REDIS_URL });
  } finally {
    await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
