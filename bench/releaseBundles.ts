import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { AssembleHarness } from '../test/support/assembleHarness.js';
import { buildBundle, type BundleFile } from '../test/support/bundles.js';
import { jsLikeContent, STATUS_POLL_MS, sumParts, timeOnWorkerProcess, timeSync, withScratchDir, type FloorResult, type Sample } from './benchHelpers.js';
import type { BenchRowSpec } from './rows.js';

export function benchFiles(count: number, bytesEach: number, prefix = 'f'): BundleFile[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `files/_/_/static/${prefix}${i}.js`,
    url: `~/static/${prefix}${i}.js`,
    type: 'minified_source',
    content: jsLikeContent(i + 1, bytesEach),
    headers: { sourcemap: `${prefix}${i}.js.map` },
  }));
}

/** The plain-tools floor for the same bundles: unzip + sha1sum + zstd -3 + a psql \copy of one row per file. */
export async function benchFloor(bundles: Buffer[], databaseUrl: string): Promise<FloorResult> {
  return withScratchDir('aa-floor-', async (dir) => {
    const zips = await Promise.all(
      bundles.map(async (bundle, i) => {
        const zip = join(dir, `bundle${i}.zip`);
        await writeFile(zip, bundle);
        return zip;
      }),
    );
    const out = join(dir, 'x');
    await mkdir(out);
    const unzip = timeSync(() => zips.forEach((zip, i) => execFileSync('unzip', ['-q', zip, '-d', join(out, String(i))])));
    const listed = execFileSync('find', [out, '-type', 'f']).toString().trim().split('\n');
    const sha1 = timeSync(() => execFileSync('xargs', ['sha1sum'], { input: listed.join('\n'), maxBuffer: 256 * 2 ** 20 }));
    const zstd = timeSync(() => execFileSync('zstd', ['-3', '-q', '-r', out]));
    const csv = join(dir, 'rows.csv');
    await writeFile(csv, listed.map((p, i) => `${i},"${p}",${i * 7}`).join('\n'));
    execFileSync('psql', [databaseUrl, '-q', '-c', 'CREATE TABLE IF NOT EXISTS bench_floor (id int, path text, size bigint)']);
    const copy = timeSync(() => execFileSync('psql', [databaseUrl, '-q', '-c', `\\copy bench_floor FROM '${csv}' csv`]));
    return sumParts({ unzip, sha1, zstd, copy });
  });
}

/**
 * The floor of the worker's `store` stage: Node itself, on one thread, inflating every member of the zip (already
 * in memory) and SHA-1-ing its bytes. Walks the central directory the way any zip reader does.
 */
export function nodeInflateAndHashSeconds(zip: Buffer): number {
  const started = performance.now();
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i += 1) {
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const local = zip.readUInt32LE(at + 42);
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataAt, dataAt + compressed);
    createHash('sha1').update(method === 8 ? inflateRawSync(raw) : raw).digest('hex');
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return (performance.now() - started) / 1000;
}

/** Shared by the rows of one run of the bench: one harness (database, Redis prefix, disk storage). */
export class ReleaseBench {
  private runs = 0;

  private constructor(readonly h: AssembleHarness) {}

  static async create(): Promise<ReleaseBench> {
    return new ReleaseBench(await AssembleHarness.create({ worker: false }));
  }

  close(): Promise<void> {
    return this.h.close();
  }

  /**
   * Builds and uploads `count` bundles (not timed) into a new release, then times request -> last `ok` on a fresh
   * worker. Every run has its own release, so no run finds the work of an earlier one done.
   */
  async assemble(files: BundleFile[][], concurrency = 1): Promise<{ sample: Sample; bundles: Buffer[] }> {
    this.runs += 1;
    const version = `bench-${this.runs}`;
    await this.h.createRelease(version);
    const bundles = await Promise.all(files.map((f) => buildBundle({ release: version, files: f })));
    const uploaded = [];
    for (const bundle of bundles) uploaded.push(await this.h.upload(bundle));
    const sample = await timeOnWorkerProcess(
      this.h,
      uploaded.map((u) => ({
        name: version,
        request: () => this.h.request(version, u.checksum, u.chunks),
        waitForStatus: () => this.h.waitForStatus(u.checksum, 600_000, STATUS_POLL_MS),
      })),
      { concurrency },
    );
    return { sample, bundles };
  }
}

const MB = 2 ** 20;

/** The release-bundle rows: each pairs a run on the worker with the plain-tools floor on the same zip(s). */
export function releaseBundleRows(bench: () => ReleaseBench): BenchRowSpec[] {
  const one = (files: number, bytesEach: number, prefix = 'f') => {
    let cached: BundleFile[] | undefined;
    return () => [(cached ??= benchFiles(files, bytesEach, prefix))];
  };
  const files100 = one(100, 50_000);
  const files1000 = one(1000, 50_000);
  const files10000 = one(10_000, 20_000);
  const files300mb = one(1, 300 * MB, 'huge');
  let concurrentFiles: BundleFile[][] | undefined;
  const concurrent = () => (concurrentFiles ??= Array.from({ length: 20 }, (_, b) => benchFiles(200, 50_000, `c${b}-`)));
  /** ours and the floor run on the same zips: the floor of a pair reuses the bundles of its `ours` run */
  let last: Buffer[] = [];
  const ours = (files: () => BundleFile[][], concurrency?: number) => async () => {
    const { sample, bundles } = await bench().assemble(files(), concurrency);
    last = bundles;
    return { ...sample, bytes: bundles.reduce((n, b) => n + b.length, 0) };
  };
  const floor = async () => {
    const result = await benchFloor(last, bench().h.testDb.url);
    return { seconds: result.seconds, parts: { ...result.parts, 'node inflate+sha1': last.reduce((s, zip) => s + nodeInflateAndHashSeconds(zip), 0) } };
  };
  return [
    { name: 'release bundle, 100 files (5 MB of JS)', key: 'release_bundle_100', files: 100, ours: ours(files100) },
    { name: 'release bundle, 1,000 files (50 MB of JS)', key: 'release_bundle_1000', files: 1000, ours: ours(files1000), floor, floorKey: 'floor_1000', storeFloor: true },
    { name: 'release bundle, 10,000 files (200 MB of JS)', key: 'release_bundle_10000', files: 10_000, ours: ours(files10000), floor, floorKey: 'floor_10000', storeFloor: true },
    { name: '20 bundles of 200 files at once, one release', key: 'concurrent_20x200', files: 4000, ours: ours(concurrent, 2), floor, floorKey: 'floor_concurrent_20x200' },
    { name: 'single 300 MB file (one entry)', key: 'single_300mb', files: 1, ours: ours(files300mb) },
  ];
}
