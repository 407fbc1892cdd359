import { prepareTemplateDatabase } from '../test/support/templateDatabase.js';
import { createTestDatabase, TEST_REDIS_URL } from '../test/support/database.js';
import { runArtifactBundleBenchmark } from './artifactBundles.js';
import { ratioOf, type BenchRow, type FloorResult, type RatioRow } from './benchHelpers.js';
import { benchDashboards } from './dashboards.js';
import { runReleaseBundleBenchmarks } from './releaseBundles.js';
import { runSymbolicationBenchmark } from './symbolication.js';

const mb = (bytes: number) => bytes / 2 ** 20;

/** A ratio row shows its value in the seconds column, as worker seconds over floor seconds. */
function cells(row: BenchRow | RatioRow): string[] {
  if ('ratio' in row) return [row.name, '-', '-', `${row.ratio.toFixed(2)}x`, '-', '-', '-'];
  return [
    row.name,
    String(row.files),
    mb(row.bytes).toFixed(1),
    row.seconds.toFixed(2),
    (row.files / row.seconds).toFixed(0),
    (mb(row.bytes) / row.seconds).toFixed(1),
    row.peakRssMb === null ? '-' : String(row.peakRssMb),
  ];
}

function printTable(rows: Array<BenchRow | RatioRow>): void {
  const header = ['benchmark', 'files', 'bundle MB', 'seconds', 'files/s', 'MB/s', 'worker peak RSS MB'];
  const lines = rows.map(cells);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]?.length ?? 0)));
  const fmt = (line: string[]) => line.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(fmt(line));
}

function floorRow(name: string, measured: BenchRow | undefined, floor: FloorResult): BenchRow {
  return { name, files: measured?.files ?? 0, bytes: measured?.bytes ?? 0, seconds: floor.seconds, peakRssMb: null };
}

function printFloorParts(name: string, floor: FloorResult): void {
  const parts = Object.entries(floor.parts).map(([k, v]) => `${k} ${v.toFixed(2)} s`);
  console.log(`${name} floor parts: ${parts.join(', ')}`);
}

const seconds = (value: number | undefined) => (value === undefined ? null : Number(value.toFixed(3)));

async function main(): Promise<void> {
  process.env.AA_TEST_TEMPLATE_DB = 'aa_bench_template';
  await prepareTemplateDatabase();
  const release = await runReleaseBundleBenchmarks();
  const artifact = await runArtifactBundleBenchmark();
  const thousand = release.rows.find((r) => r.files === 1000);
  const single = release.rows.find((r) => r.name.startsWith('single'));
  const releaseRatio = ratioOf('release_bundle_1000_vs_floor', thousand, release.floor);
  const artifactRatio = ratioOf('artifact_bundle_1000_vs_floor', artifact.row, artifact.floor);
  printTable([
    ...release.rows,
    floorRow('plain-tools floor, 1,000 files', thousand, release.floor),
    releaseRatio,
    artifact.row,
    floorRow('plain-tools floor, artifact bundle', artifact.row, artifact.floor),
    artifactRatio,
  ]);
  printFloorParts('release bundle', release.floor);
  printFloorParts('artifact bundle', artifact.floor);
  const dashboards = await runDashboardBenchmark();
  await runSymbolicationBenchmark(); // prints its own row
  console.log(
    `dashboard reconcile, 30 widgets x 3 queries, through the queue: p50 ${dashboards.p50Ms.toFixed(1)} ms, p99 ${dashboards.p99Ms.toFixed(1)} ms (n=${dashboards.n})`,
  );
  console.log(
    JSON.stringify({
      release_bundle_100_seconds: seconds(release.rows[0]?.seconds),
      release_bundle_1000_seconds: seconds(thousand?.seconds),
      floor_1000_seconds: seconds(release.floor.seconds),
      release_bundle_1000_vs_floor: Number(releaseRatio.ratio.toFixed(2)),
      artifact_bundle_1000_seconds: seconds(artifact.row.seconds),
      artifact_floor_1000_seconds: seconds(artifact.floor.seconds),
      artifact_bundle_1000_vs_floor: Number(artifactRatio.ratio.toFixed(2)),
      single_300mb_seconds: seconds(single?.seconds),
      peak_rss_mb_single_300mb: single?.peakRssMb ?? null,
      peak_rss_mb_artifact_bundle_1000: artifact.row.peakRssMb,
      dashboard_reconcile_p50_ms: Number(dashboards.p50Ms.toFixed(1)),
      dashboard_reconcile_p99_ms: Number(dashboards.p99Ms.toFixed(1)),
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
