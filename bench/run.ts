import { prepareTemplateDatabase } from '../test/support/templateDatabase.js';
import { createTestDatabase, TEST_REDIS_URL } from '../test/support/database.js';
import { benchDashboards } from './dashboards.js';
import { runReleaseBundleBenchmarks, type BenchRow } from './releaseBundles.js';

const mb = (bytes: number) => bytes / 2 ** 20;

function printTable(rows: BenchRow[]): void {
  const header = ['benchmark', 'files', 'bundle MB', 'seconds', 'files/s', 'MB/s', 'worker peak RSS MB'];
  const lines = rows.map((r) => [
    r.name,
    String(r.files),
    mb(r.bytes).toFixed(1),
    r.seconds.toFixed(2),
    (r.files / r.seconds).toFixed(0),
    (mb(r.bytes) / r.seconds).toFixed(1),
    r.peakRssMb === null ? '-' : String(r.peakRssMb),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]?.length ?? 0)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(fmt(line));
}

async function main(): Promise<void> {
  process.env.AA_TEST_TEMPLATE_DB = 'aa_bench_template';
  await prepareTemplateDatabase();
  const { rows, floor } = await runReleaseBundleBenchmarks();
  const floorRow: BenchRow = { name: 'plain-tools floor, 1,000 files', files: 1000, bytes: rows[1]?.bytes ?? 0, seconds: floor.seconds, peakRssMb: null };
  printTable([...rows, floorRow]);
  console.log(
    `floor parts: ${Object.entries(floor.parts)
      .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
      .join(', ')}`,
  );
  const dashboards = await runDashboardBenchmark();
  console.log(
    `dashboard reconcile, 30 widgets x 3 queries, through the queue: p50 ${dashboards.p50Ms.toFixed(1)} ms, p99 ${dashboards.p99Ms.toFixed(1)} ms (n=${dashboards.n})`,
  );
  const thousand = rows.find((r) => r.files === 1000);
  const single = rows.find((r) => r.name.startsWith('single'));
  console.log(
    JSON.stringify({
      release_bundle_100_seconds: Number(rows[0]?.seconds.toFixed(3)),
      release_bundle_1000_seconds: Number(thousand?.seconds.toFixed(3)),
      floor_1000_seconds: Number(floor.seconds.toFixed(3)),
      release_bundle_1000_vs_floor: Number(((thousand?.seconds ?? 0) / floor.seconds).toFixed(2)),
      single_300mb_seconds: Number(single?.seconds.toFixed(3)),
      peak_rss_mb_single_300mb: single?.peakRssMb ?? null,
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
