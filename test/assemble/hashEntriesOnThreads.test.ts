import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH_ENTRIES, ZipEntryHashThreads, type ZipEntrySpan } from '../../src/adapters/hashing/ZipEntryHashThreads.js';
import { AppError } from '../../src/domain/errors.js';
import { BundleArchive, ONE_SHOT_ENTRY_MAX_BYTES, THREADS_MIN_ENTRIES } from '../../src/workers/assemble/bundleArchive.js';
import { buildBundle, sha1, type BundleFile } from '../support/bundles.js';

// An archive's small entries are read, inflated, CRC-checked and hashed on ZipEntryHashThreads; larger ones, and
// whatever a thread does not answer (it died, or it could not make sense of an entry), are hashed on the calling
// thread. Either way the digests are those of the original bytes, in manifest order, and a bad entry fails the same
// way with the same words.

const limits = { maxBundleFiles: 10_000, maxBundleUncompressedBytes: 1 << 30, maxManifestBytes: 1 << 22 };
let dir: string;
let threads: ZipEntryHashThreads;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aa-hash-threads-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
let failures: Error[];
beforeEach(() => {
  failures = [];
  threads = new ZipEntryHashThreads(2, { onFailure: (err) => failures.push(err) });
});
afterEach(() => threads.close());

const manyFiles = (count: number, tag = 'f'): BundleFile[] =>
  Array.from({ length: count }, (_, i) => ({ path: `files/_/_/${tag}${i}.js`, content: `export const ${tag}${i} = ${i};\n`.repeat((i % 50) + 1) }));

async function zipFile(zip: Buffer): Promise<string> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.zip`);
  await writeFile(path, zip);
  return path;
}

const expectedDigests = (files: BundleFile[], keys: readonly string[]) =>
  keys.map((key) => {
    const content = files.find((f) => f.path === key)!.content;
    return { sha1: sha1(content), size: Buffer.from(content).length };
  });

/** What the archive sent to the threads: the number of entries of each `hash` call. */
function counting(pool: ZipEntryHashThreads) {
  const calls: number[] = [];
  return { calls, hash: (path: string, entries: readonly ZipEntrySpan[]) => (calls.push(entries.length), pool.hash(path, entries)) };
}

/** The offset of a member's central directory record (its name's last occurrence, 46 bytes in). */
const centralRecordOf = (zip: Buffer, member: string) => zip.lastIndexOf(Buffer.from(member)) - 46;

it('hashes the small entries on the threads and the large ones here, in manifest order', async () => {
  const large = { path: 'files/_/_/large.js', content: Buffer.from(Array.from({ length: ONE_SHOT_ENTRY_MAX_BYTES + 1 }, (_, i) => (i * 7919) % 251)) };
  const files = [...manyFiles(3 * BATCH_ENTRIES + 5), large, { path: 'files/_/_/empty.js', content: '' }];
  const archive = await BundleArchive.open(await zipFile(await buildBundle({ files })), limits);
  const keys = archive.manifest.files.map((f) => f.key);
  const pool = counting(threads);
  expect(await archive.hashEntries(keys, 4, pool)).toEqual(expectedDigests(files, keys));
  // all but the large entry went to the threads (the empty one too: deflated, it is two bytes of data)
  expect(pool.calls).toEqual([files.length - 1]);
});

it('leaves a bundle of fewer small entries than THREADS_MIN_ENTRIES to this thread', async () => {
  const files = manyFiles(THREADS_MIN_ENTRIES - 1);
  const archive = await BundleArchive.open(await zipFile(await buildBundle({ files })), limits);
  const keys = archive.manifest.files.map((f) => f.key);
  const pool = counting(threads);
  expect(await archive.hashEntries(keys, 4, pool)).toEqual(expectedDigests(files, keys));
  expect(pool.calls).toEqual([]);
});

describe('a bad entry fails the job the same way on the threads as here', () => {
  const files = manyFiles(2 * BATCH_ENTRIES);
  const victim = files[BATCH_ENTRIES + 3]!.path;

  async function failureOf(corrupt: (zip: Buffer) => void, pool?: ZipEntryHashThreads): Promise<AppError> {
    const zip = await buildBundle({ files });
    corrupt(zip);
    const archive = await BundleArchive.open(await zipFile(zip), limits);
    const keys = archive.manifest.files.map((f) => f.key);
    const failure = await archive.hashEntries(keys, 4, pool).then(() => null, (err: unknown) => err);
    expect(failure).toBeInstanceOf(AppError);
    return failure as AppError;
  }

  it('a CRC-32 that does not match the bytes', async () => {
    const corrupt = (zip: Buffer) => zip.writeUInt32LE((zip.readUInt32LE(centralRecordOf(zip, victim) + 16) ^ 1) >>> 0, centralRecordOf(zip, victim) + 16);
    const onThreads = await failureOf(corrupt, threads);
    expect([onThreads.code, onThreads.message]).toEqual(['bundle_invalid', `the bundle is invalid: entry "${victim}" has a bad CRC-32`]);
    const here = await failureOf(corrupt);
    expect([here.code, here.message]).toEqual([onThreads.code, onThreads.message]);
  });

  it('an entry that inflates past its declared size', async () => {
    const corrupt = (zip: Buffer) => {
      const at = centralRecordOf(zip, victim) + 24;
      zip.writeUInt32LE(zip.readUInt32LE(at) - 10, at);
    };
    const onThreads = await failureOf(corrupt, threads);
    expect(onThreads.code).toBe('bundle_limit_exceeded');
    expect(onThreads.message).toMatch(new RegExp(`entry "${victim.replace(/[/.]/g, '\\$&')}" inflates beyond its declared size`));
    const here = await failureOf(corrupt);
    expect([here.code, here.message]).toEqual([onThreads.code, onThreads.message]);
  });
});

it('leaves an entry whose local header it does not recognise to the zip library, which reads it', async () => {
  const files = manyFiles(BATCH_ENTRIES + 1);
  const victim = files[7]!.path;
  const zip = await buildBundle({ files });
  zip.writeUInt32LE(0, zip.indexOf(Buffer.from(victim)) - 30); // its local header's signature, gone
  const archive = await BundleArchive.open(await zipFile(zip), limits);
  const keys = archive.manifest.files.map((f) => f.key);
  expect(await archive.hashEntries(keys, 4, threads)).toEqual(expectedDigests(files, keys));
});

it('hashes here what a thread that died did not answer, and starts threads again at the next call', async () => {
  const files = manyFiles(20 * BATCH_ENTRIES);
  const archive = await BundleArchive.open(await zipFile(await buildBundle({ files })), limits);
  const keys = archive.manifest.files.map((f) => f.key);
  const working = archive.hashEntries(keys, 4, threads);
  // the threads are private; ending one from outside is how a crash looks to the pool
  const running = () => [...(threads as unknown as { threads: Set<{ worker: { terminate(): Promise<number> } }> }).threads];
  // the batches were handed out as the call began: both threads hold one now
  expect(running()).toHaveLength(2);
  await running()[0]!.worker.terminate();
  expect(await working).toEqual(expectedDigests(files, keys));
  expect(failures.map((err) => err.message)).toEqual([expect.stringMatching(/^entry hashing thread exited with code \d+$/)]);
  const pool = counting(threads);
  expect(await archive.hashEntries(keys, 4, pool)).toEqual(expectedDigests(files, keys));
  expect(pool.calls).toEqual([keys.length]);
  expect(running().length).toBeGreaterThan(0);
});

describe('ZipEntryHashThreads', () => {
  const spansOf = async (files: BundleFile[]) => {
    const zip = await buildBundle({ files });
    const archive = await BundleArchive.open(await zipFile(zip), limits);
    const spans = files.map((f) => {
      const record = centralRecordOf(zip, f.path);
      return {
        localHeaderOffset: zip.readUInt32LE(record + 42),
        compressedSize: zip.readUInt32LE(record + 20),
        uncompressedSize: zip.readUInt32LE(record + 24),
        crc32: zip.readUInt32LE(record + 16),
        method: 8 as const,
      };
    });
    return { path: (archive as unknown as { path: string }).path, spans };
  };
  const threadCount = (pool: ZipEntryHashThreads) => (pool as unknown as { threads: Set<unknown> }).threads.size;

  it('runs at most its size of threads, and ends them once idle', async () => {
    const files = manyFiles(8 * BATCH_ENTRIES);
    const { path, spans } = await spansOf(files);
    const pool = new ZipEntryHashThreads(1, { idleMs: 100 });
    try {
      const answers = pool.hash(path, spans);
      expect(threadCount(pool)).toBe(1);
      expect(await answers).toEqual(files.map((f) => ({ sha1: sha1(f.content), size: Buffer.byteLength(f.content) })));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(threadCount(pool)).toBe(0);
      expect((await pool.hash(path, spans.slice(0, 3))).map((d) => ('sha1' in d ? d.sha1 : d.refused))).toEqual(files.slice(0, 3).map((f) => sha1(f.content)));
    } finally {
      await pool.close();
    }
  });

  it('refuses a file it cannot read and, once closed, every call', async () => {
    const { spans } = await spansOf(manyFiles(2));
    await expect(threads.hash(join(dir, 'no-such.zip'), spans)).rejects.toThrow(/entry hashing thread: .*ENOENT/);
    expect(failures).toHaveLength(1);
    await threads.close();
    await expect(threads.hash(join(dir, 'no-such.zip'), spans)).rejects.toThrow(/closed/);
    // ending its threads on close, or when idle, is no failure
    expect(failures).toHaveLength(1);
  });

  it('drops the batches of a call still waiting once one of them failed: the caller hashes them itself', async () => {
    const { spans } = await spansOf(manyFiles(5 * BATCH_ENTRIES));
    const failed: Error[] = [];
    const pool = new ZipEntryHashThreads(1, { onFailure: (err) => failed.push(err) });
    try {
      await expect(pool.hash(join(dir, 'no-such.zip'), spans)).rejects.toThrow(/ENOENT/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // one batch tried the file; the four behind it never went to the thread
      expect(failed).toHaveLength(1);
    } finally {
      await pool.close();
    }
  });

  it('refuses a pool of no threads', () => {
    expect(() => new ZipEntryHashThreads(0)).toThrow(RangeError);
  });
});
