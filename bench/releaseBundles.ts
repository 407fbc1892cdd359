import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AssembleHarness } from '../test/support/assembleHarness.js';
import { buildBundle, type BundleFile } from '../test/support/bundles.js';
import { jsLikeContent, sumParts, timeOnWorkerProcess, timeSync, withScratchDir, type BenchRow, type FloorResult } from './benchHelpers.js';

export function benchFiles(count: number, bytesEach: number, prefix = 'f'): BundleFile[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `files/_/_/static/${prefix}${i}.js`,
    url: `~/static/${prefix}${i}.js`,
    type: 'minified_source',
    content: jsLikeContent(i + 1, bytesEach),
    headers: { sourcemap: `${prefix}${i}.js.map` },
  }));
}

/** Uploads the bundle first (not timed), then times enqueue -> ok on a fresh worker process. */
export async function benchBundle(h: AssembleHarness, name: string, version: string, bundle: Buffer, files: number): Promise<BenchRow> {
  await h.createRelease(version);
  const uploaded = await h.upload(bundle);
  return timeOnWorkerProcess(h, {
    name,
    files,
    bytes: bundle.length,
    request: () => h.request(version, uploaded.checksum, uploaded.chunks),
    waitForStatus: () => h.waitForStatus(uploaded.checksum, 600_000),
  });
}

/** The plain-tools floor for the same bundle: unzip + sha1sum + zstd -3 + a psql \copy of one row per file. */
export async function benchFloor(bundle: Buffer, databaseUrl: string): Promise<FloorResult> {
  return withScratchDir('aa-floor-', async (dir) => {
    const zip = join(dir, 'bundle.zip');
    await writeFile(zip, bundle);
    const out = join(dir, 'x');
    const unzip = timeSync(() => execFileSync('unzip', ['-q', zip, '-d', out]));
    const listed = execFileSync('find', [out, '-type', 'f']).toString().trim().split('\n');
    const sha1 = timeSync(() => execFileSync('xargs', ['sha1sum'], { input: listed.join('\n'), maxBuffer: 64 * 2 ** 20 }));
    const zstd = timeSync(() => execFileSync('zstd', ['-3', '-q', '-r', out]));
    const csv = join(dir, 'rows.csv');
    await writeFile(csv, listed.map((p, i) => `${i},"${p}",${i * 7}`).join('\n'));
    execFileSync('psql', [databaseUrl, '-q', '-c', 'CREATE TABLE IF NOT EXISTS bench_floor (id int, path text, size bigint)']);
    const copy = timeSync(() => execFileSync('psql', [databaseUrl, '-q', '-c', `\\copy bench_floor FROM '${csv}' csv`]));
    return sumParts({ unzip, sha1, zstd, copy });
  });
}

export async function runReleaseBundleBenchmarks(): Promise<{ rows: BenchRow[]; floor: FloorResult }> {
  const h = await AssembleHarness.create({ worker: false });
  try {
    const rows: BenchRow[] = [];
    const small = await buildBundle({ release: 'bench-100', files: benchFiles(100, 50_000) });
    rows.push(await benchBundle(h, 'release bundle, 100 files (5 MB of JS)', 'bench-100', small, 100));
    const large = await buildBundle({ release: 'bench-1000', files: benchFiles(1000, 50_000) });
    rows.push(await benchBundle(h, 'release bundle, 1,000 files (50 MB of JS)', 'bench-1000', large, 1000));
    const floor = await benchFloor(large, h.testDb.url);
    const huge = await buildBundle({ release: 'bench-300mb', files: benchFiles(1, 300 * 2 ** 20, 'huge') });
    rows.push(await benchBundle(h, 'single 300 MB file (one entry)', 'bench-300mb', huge, 1));
    return { rows, floor };
  } finally {
    await h.close();
  }
}
