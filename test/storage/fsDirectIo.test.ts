import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DIRECT_IO_MIN_BYTES, DIRECT_IO_PIECE_BYTES, DIRECT_IO_STAGING_BUFFERS } from '../../src/adapters/storage/directIo.js';
import { FsBlobStore } from '../../src/adapters/storage/FsBlobStore.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;

/** Pages of `file` in the page cache (util-linux fincore). */
async function cachedPages(file: string): Promise<number> {
  const { stdout } = await run('fincore', ['--noheadings', '--raw', '--output', 'PAGES', file]);
  return Number(stdout.trim());
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'aa-direct-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('FsBlobStore direct I/O', () => {
  it('stores bodies of every shape exactly: aligned, a byte over, several pieces with a tail, a chunk-sized frame', async () => {
    const store = new FsBlobStore(root);
    const sizes = [DIRECT_IO_MIN_BYTES, DIRECT_IO_MIN_BYTES + 1, 3 * DIRECT_IO_PIECE_BYTES + 123, 8 * MiB + 100];
    for (const [i, size] of sizes.entries()) {
      const body = randomBytes(size);
      await store.put(`aa/bbbb/direct${i}`, body);
      const stored = await readFile(join(root, 'aa', 'bbbb', `direct${i}`));
      expect(stored.length).toBe(size);
      expect(stored.equals(body)).toBe(true);
    }
    expect(store.usesDirectIo).toBe(true);
    expect((await filesUnder(root)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps every body intact when more puts run at once than there are staging buffers', async () => {
    const store = new FsBlobStore(root);
    const bodies = Array.from({ length: DIRECT_IO_STAGING_BUFFERS * 3 }, (_, i) => randomBytes(2 * MiB + 7 * i + 1));
    await Promise.all(bodies.map((body, i) => store.put(`aa/cccc/many${i}`, body)));
    for (const [i, body] of bodies.entries()) {
      expect((await readFile(join(root, 'aa', 'cccc', `many${i}`))).equals(body)).toBe(true);
    }
  });

  it('leaves a directly written blob out of the page cache, and a buffered one (the setting off) in it', async () => {
    const direct = new FsBlobStore(join(root, 'direct'));
    const buffered = new FsBlobStore(join(root, 'buffered'), { directIo: false });
    expect(buffered.usesDirectIo).toBe(false);
    const body = randomBytes(8 * MiB + 100);
    await direct.put('aa/dddd/one', body);
    await buffered.put('aa/dddd/one', body);
    const pages = Math.ceil(body.length / 4096);
    // at most the last page: cutting the padded file back to its length reads that block in to zero its end
    expect(await cachedPages(join(root, 'direct', 'aa', 'dddd', 'one'))).toBeLessThanOrEqual(1);
    expect(await cachedPages(join(root, 'buffered', 'aa', 'dddd', 'one'))).toBeGreaterThan(pages / 2);
  });

  it('reads large blobs whole past the page cache, into the scratch buffer or one of their own', async () => {
    const direct = new FsBlobStore(root);
    const body = randomBytes(3 * DIRECT_IO_PIECE_BYTES + 4321);
    await direct.put('aa/gggg/one', body);
    const file = join(root, 'aa', 'gggg', 'one');
    const scratch = Buffer.alloc(body.length + 10);
    const read = await direct.getBuffer('aa/gggg/one', scratch);
    expect(read.equals(body)).toBe(true);
    expect(read.buffer).toBe(scratch.buffer);
    expect((await direct.getBuffer('aa/gggg/one', Buffer.alloc(10))).equals(body)).toBe(true);
    // at most the page that cutting the written file back to its length read in
    expect(await cachedPages(file)).toBeLessThanOrEqual(1);
    // the same blob read the usual way (the setting off) fills the page cache
    expect((await new FsBlobStore(root, { directIo: false }).getBuffer('aa/gggg/one', scratch)).equals(body)).toBe(true);
    expect(await cachedPages(file)).toBeGreaterThan(body.length / 4096 / 2);
  });

  it('writes small bodies through the page cache', async () => {
    const store = new FsBlobStore(root);
    await store.put('aa/eeee/small', randomBytes(DIRECT_IO_MIN_BYTES - 1));
    expect(await cachedPages(join(root, 'aa', 'eeee', 'small'))).toBeGreaterThan(200);
  });
});

// Needs root: ramfs is a filesystem that refuses O_DIRECT (EINVAL at open), as some network and FUSE ones do.
describe('FsBlobStore on a filesystem without direct I/O', () => {
  let mountPoint: string;

  beforeEach(async () => {
    mountPoint = join(root, 'ramfs');
    await run('mkdir', [mountPoint]);
    await run('mount', ['-t', 'ramfs', 'ramfs', mountPoint]);
  });

  afterEach(async () => {
    await run('umount', [mountPoint]).catch(() => undefined);
  });

  it('reads through the page cache instead, from the first refused read on, and says so once', async () => {
    const refusals: unknown[] = [];
    const store = new FsBlobStore(mountPoint, { onDirectIoRefused: (err) => refusals.push(err) });
    const body = randomBytes(2 * MiB + 5);
    await run('mkdir', ['-p', join(mountPoint, 'aa', 'hhhh')]);
    await writeFile(join(mountPoint, 'aa', 'hhhh', 'kept'), body);
    expect((await store.getBuffer('aa/hhhh/kept', Buffer.alloc(0))).equals(body)).toBe(true);
    expect(store.usesDirectIo).toBe(false);
    expect((await store.getBuffer('aa/hhhh/kept', Buffer.alloc(0))).equals(body)).toBe(true);
    expect(refusals).toEqual([expect.objectContaining({ code: 'EINVAL' })]);
  });

  it('stores through the page cache instead, from the first refused write on, and says so once', async () => {
    const refusals: unknown[] = [];
    const store = new FsBlobStore(mountPoint, { onDirectIoRefused: (err) => refusals.push(err) });
    await store.put('aa/ffff/small', Buffer.from('small'));
    expect(store.usesDirectIo).toBe(true);
    const bodies = [randomBytes(2 * MiB + 3), randomBytes(DIRECT_IO_MIN_BYTES)];
    await store.put('aa/ffff/first', bodies[0]!);
    expect(store.usesDirectIo).toBe(false);
    await store.put('aa/ffff/second', bodies[1]!);
    expect((await readFile(join(mountPoint, 'aa', 'ffff', 'first'))).equals(bodies[0]!)).toBe(true);
    expect((await readFile(join(mountPoint, 'aa', 'ffff', 'second'))).equals(bodies[1]!)).toBe(true);
    expect(refusals).toEqual([expect.objectContaining({ code: 'EINVAL' })]);
    expect((await store.getBuffer('aa/ffff/first', Buffer.alloc(0))).equals(bodies[0]!)).toBe(true);
    expect((await filesUnder(mountPoint)).sort()).toEqual(['first', 'second', 'small'].map((f) => join(mountPoint, 'aa', 'ffff', f)));
  });
});
