import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssembleHarness } from '../test/support/assembleHarness.js';
import { buildBundle, type BundleFile } from '../test/support/bundles.js';
import { TEST_REDIS_URL } from '../test/support/database.js';
import { WorkerProcess } from '../test/support/workerProcess.js';

export interface BenchRow {
  name: string;
  files: number;
  bytes: number;
  seconds: number;
  peakRssMb: number | null;
}

/** Deterministic JS-like text: compresses like real minified code, not like random bytes. */
function jsLikeContent(seed: number, bytes: number): string {
  let x = seed * 2654435761 + 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const words = ['function', 'return', 'const', 'var', 'this', 'null', 'undefined', 'prototype', 'length', 'push'];
  let out = '';
  while (out.length < bytes) {
    out += `${words[next() % words.length]} a${(next() % 100000).toString(36)}=${next() % 1000};`;
    if (next() % 7 === 0) out += '\n';
  }
  return out.slice(0, bytes);
}

export function benchFiles(count: number, bytesEach: number, prefix = 'f'): BundleFile[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `files/_/_/static/${prefix}${i}.js`,
    url: `~/static/${prefix}${i}.js`,
    type: 'minified_source',
    content: jsLikeContent(i + 1, bytesEach),
    headers: { sourcemap: `${prefix}${i}.js.map` },
  }));
}

function peakRssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const status = execFileSync('cat', [`/proc/${pid}/status`]).toString();
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return kb ? Math.round(kb / 1024) : null;
  } catch {
    return null;
  }
}

/** Uploads the bundle first (not timed), then times enqueue -> ok on a fresh worker process. */
export async function benchBundle(h: AssembleHarness, name: string, version: string, bundle: Buffer, files: number): Promise<BenchRow> {
  await h.createRelease(version);
  const uploaded = await h.upload(bundle);
  const worker = WorkerProcess.start({
    DATABASE_URL: h.testDb.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: h.prefix,
    STORAGE_DIR: h.storageDir,
    TEMP_DIR: h.tempDir,
    WORKER_CONCURRENCY: '1',
    LOG_LEVEL: 'info',
  });
  try {
    await worker.waitForLog(/"msg":"started"/);
    const started = performance.now();
    await h.request(version, uploaded.checksum, uploaded.chunks);
    const status = await h.waitForStatus(uploaded.checksum, 600_000);
    const seconds = (performance.now() - started) / 1000;
    if (status.state !== 'ok') throw new Error(`${name}: ${status.state} ${status.detail}`);
    return { name, files, bytes: bundle.length, seconds, peakRssMb: peakRssMb(worker.child.pid) };
  } finally {
    await worker.stop();
  }
}

/** The plain-tools floor for the same bundle: unzip + sha1sum + zstd -3 + a psql \copy of one row per file. */
export async function benchFloor(bundle: Buffer, databaseUrl: string): Promise<{ seconds: number; parts: Record<string, number> }> {
  const dir = await mkdtemp(join(tmpdir(), 'aa-floor-'));
  try {
    const zip = join(dir, 'bundle.zip');
    await writeFile(zip, bundle);
    const time = (fn: () => void) => {
      const t = performance.now();
      fn();
      return (performance.now() - t) / 1000;
    };
    const out = join(dir, 'x');
    const unzip = time(() => execFileSync('unzip', ['-q', zip, '-d', out]));
    const listed = execFileSync('find', [out, '-type', 'f']).toString().trim().split('\n');
    const sha = time(() => execFileSync('xargs', ['sha1sum'], { input: listed.join('\n'), maxBuffer: 64 * 2 ** 20 }));
    const zstd = time(() => execFileSync('zstd', ['-3', '-q', '-r', out]));
    const csv = join(dir, 'rows.csv');
    await writeFile(csv, listed.map((p, i) => `${i},"${p}",${i * 7}`).join('\n'));
    execFileSync('psql', [databaseUrl, '-q', '-c', 'CREATE TABLE IF NOT EXISTS bench_floor (id int, path text, size bigint)']);
    const copy = time(() => execFileSync('psql', [databaseUrl, '-q', '-c', `\\copy bench_floor FROM '${csv}' csv`]));
    return { seconds: unzip + sha + zstd + copy, parts: { unzip, sha1: sha, zstd, copy } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runReleaseBundleBenchmarks(): Promise<{ rows: BenchRow[]; floor: Awaited<ReturnType<typeof benchFloor>> }> {
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

