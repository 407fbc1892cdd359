import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { BlobStore } from '../../src/adapters/storage/BlobStore.js';
import { generateBlobPath } from '../../src/adapters/storage/BlobStore.js';
import { FsBlobStore } from '../../src/adapters/storage/FsBlobStore.js';
import { S3BlobStore } from '../../src/adapters/storage/S3BlobStore.js';
import { AppError } from '../../src/domain/errors.js';
import { startTestS3, type TestS3 } from '../support/s3rver.js';
import { sha1 } from '../support/sha1.js';

const MiB = 1024 * 1024;

interface Backend {
  name: 'fs' | 's3';
  /**
   * Whether the backend under test can show atomicity under concurrent writers to one key. Real S3 can (each PUT
   * replaces the object whole), but s3rver writes objects in place, so two racing PUTs interleave there.
   */
  atomicRacingWriters: boolean;
  setup(): Promise<void>;
  /** A store over the shared backend; stores with different prefixes must not see each other's keys. */
  make(prefix?: string): BlobStore;
  teardown(): Promise<void>;
}

function fsBackend(): Backend {
  let root = '';
  return {
    name: 'fs',
    atomicRacingWriters: true,
    async setup() {
      root = await mkdtemp(join(tmpdir(), 'aa-fsblobs-'));
    },
    make: (prefix = '') => new FsBlobStore(join(root, prefix)),
    teardown: () => rm(root, { recursive: true, force: true }),
  };
}

function s3Backend(): Backend {
  let s3: TestS3 | undefined;
  return {
    name: 's3',
    atomicRacingWriters: false,
    async setup() {
      s3 = await startTestS3();
    },
    // 5 MiB parts (the S3 minimum) keep the multipart tests quick while still forcing several parts.
    make: (prefix = '') => new S3BlobStore({ ...s3!.settings, keyPrefix: prefix, partSize: 5 * MiB }),
    teardown: async () => s3?.stop(),
  };
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}


/** Streams `data` in pieces of `pieceSize`, then fails with `error` if one is given. */
function streamOf(data: Buffer, pieceSize: number, error?: Error): Readable {
  async function* pieces() {
    for (let offset = 0; offset < data.length; offset += pieceSize) {
      yield data.subarray(offset, offset + pieceSize);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (error) throw error;
  }
  return Readable.from(pieces());
}

async function expectNotFound(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(AppError);
  await expect(promise).rejects.toMatchObject({ code: 'not_found' });
}

describe.each([fsBackend(), s3Backend()])('BlobStore contract: $name', (backend) => {
  let store: BlobStore;

  beforeAll(async () => {
    await backend.setup();
    store = backend.make();
  });

  afterAll(async () => {
    await store?.close();
    await backend.teardown();
  });

  it('reports its kind', () => {
    expect(store.kind).toBe(backend.name);
  });

  it('round-trips a buffer', async () => {
    const key = generateBlobPath();
    const data = randomBytes(1000);
    await store.put(key, data);
    expect(await store.exists(key)).toBe(true);
    expect(await collect(await store.get(key))).toEqual(data);
  });

  it('round-trips an empty object', async () => {
    const key = generateBlobPath();
    await store.put(key, Buffer.alloc(0));
    expect(await store.exists(key)).toBe(true);
    expect((await collect(await store.get(key))).length).toBe(0);
  });

  it('round-trips a stream', async () => {
    const key = generateBlobPath();
    const data = randomBytes(300_000);
    await store.put(key, streamOf(data, 7_000));
    expect(await collect(await store.get(key))).toEqual(data);
  });

  it('round-trips a multi-MiB stream (multipart on S3)', async () => {
    const key = generateBlobPath();
    const data = randomBytes(12 * MiB + 12_345);
    await store.put(key, streamOf(data, MiB / 2));
    expect(sha1(await collect(await store.get(key)))).toBe(sha1(data));
  });

  it('round-trips a buffer larger than one part', async () => {
    const key = generateBlobPath();
    const data = randomBytes(6 * MiB);
    await store.put(key, data);
    expect(sha1(await collect(await store.get(key)))).toBe(sha1(data));
  });

  it('overwrites an existing key', async () => {
    const key = generateBlobPath();
    await store.put(key, Buffer.from('first version'));
    await store.put(key, Buffer.from('second'));
    expect((await collect(await store.get(key))).toString()).toBe('second');
  });

  (backend.atomicRacingWriters ? it : it.skip)('leaves one complete object when two writers race on a key', async () => {
    const key = generateBlobPath();
    const a = randomBytes(2 * MiB);
    const b = randomBytes(2 * MiB);
    await Promise.all([store.put(key, streamOf(a, 64 * 1024)), store.put(key, streamOf(b, 64 * 1024))]);
    expect([sha1(a), sha1(b)]).toContain(sha1(await collect(await store.get(key))));
  });

  it('reads objects one after another into the same scratch buffer, each exactly', async () => {
    const scratch = Buffer.alloc(7 * MiB);
    const first = randomBytes(6 * MiB + 3);
    const second = randomBytes(100_000);
    const [firstKey, secondKey] = [generateBlobPath(), generateBlobPath()];
    await store.put(firstKey, first);
    await store.put(secondKey, second);
    const readFirst = await store.getBuffer(firstKey, scratch);
    expect(readFirst.buffer).toBe(scratch.buffer);
    expect(sha1(readFirst)).toBe(sha1(first));
    const readSecond = await store.getBuffer(secondKey, scratch);
    expect(readSecond.buffer).toBe(scratch.buffer);
    expect(readSecond.equals(second)).toBe(true);
    expect(sha1(await store.getBuffer(firstKey, scratch))).toBe(sha1(first));
  });

  it('reads an object larger than the scratch buffer into a buffer of its own, leaving the scratch alone', async () => {
    const scratch = Buffer.alloc(1000, 0xaa);
    const data = randomBytes(1001);
    const key = generateBlobPath();
    await store.put(key, data);
    const read = await store.getBuffer(key, scratch);
    expect(read.equals(data)).toBe(true);
    expect(read.buffer).not.toBe(scratch.buffer);
    expect(scratch.equals(Buffer.alloc(1000, 0xaa))).toBe(true);
  });

  it('reads an empty object into a scratch buffer as zero bytes', async () => {
    const key = generateBlobPath();
    await store.put(key, Buffer.alloc(0));
    expect((await store.getBuffer(key, Buffer.alloc(10))).length).toBe(0);
  });

  it('rejects a missing key with not_found', async () => {
    const key = generateBlobPath();
    expect(await store.exists(key)).toBe(false);
    await expectNotFound(store.get(key));
    await expectNotFound(store.getBuffer(key, Buffer.alloc(10)));
  });

  it('deletes idempotently', async () => {
    const key = generateBlobPath();
    await store.put(key, Buffer.from('to be deleted'));
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
    await expectNotFound(store.get(key));
    await expect(store.delete(key)).resolves.toBeUndefined();
    await expect(store.delete(generateBlobPath())).resolves.toBeUndefined();
  });

  it('never counts a stored object as an abandoned write, however old', async () => {
    const keys = [generateBlobPath(), generateBlobPath()];
    for (const key of keys) await store.put(key, Buffer.from(`kept ${key}`));
    expect(await store.removeAbandonedWrites(new Date(Date.now() + 3600_000))).toBe(0);
    for (const key of keys) expect(await store.exists(key)).toBe(true);
  });

  it('keeps stores with different key prefixes apart', async () => {
    const tenantA = backend.make('tenant-a');
    const tenantB = backend.make('tenant-b/nested');
    try {
      const key = generateBlobPath();
      await tenantA.put(key, Buffer.from('from a'));
      expect(await tenantB.exists(key)).toBe(false);
      expect(await store.exists(key)).toBe(false);
      await tenantB.put(key, Buffer.from('from b'));
      expect((await collect(await tenantA.get(key))).toString()).toBe('from a');
      expect((await collect(await tenantB.get(key))).toString()).toBe('from b');
      await tenantB.delete(key);
      expect(await tenantA.exists(key)).toBe(true);
    } finally {
      await tenantA.close();
      await tenantB.close();
    }
  });

  it.each([
    ['a small', 100_000],
    ['a multipart-sized', 11 * MiB],
  ])('leaves no object when %s stream write fails', async (_label, sizeBeforeFailure) => {
    const key = generateBlobPath();
    const failure = new Error('source went away');
    await expect(store.put(key, streamOf(randomBytes(sizeBeforeFailure), MiB / 4, failure))).rejects.toBe(failure);
    expect(await store.exists(key)).toBe(false);
    await expectNotFound(store.get(key));
  });

  it('keeps the previous object when an overwrite fails midway', async () => {
    const key = generateBlobPath();
    const original = randomBytes(50_000);
    await store.put(key, original);
    await expect(store.put(key, streamOf(randomBytes(200_000), 10_000, new Error('cut off')))).rejects.toThrow('cut off');
    expect(await collect(await store.get(key))).toEqual(original);
  });

  it.each(['', '/absolute', 'a/../b', 'a//b', './a', 'back\\slash'])('refuses the invalid key %p', async (key) => {
    await expect(store.put(key, Buffer.from('x'))).rejects.toMatchObject({ code: 'internal' });
    await expect(store.exists(key)).rejects.toMatchObject({ code: 'internal' });
  });
});

describe('FsBlobStore specifics', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'aa-fsblobs-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('leaves no temp file behind after a failed write', async () => {
    const store = new FsBlobStore(root);
    const key = generateBlobPath();
    await expect(store.put(key, streamOf(randomBytes(10_000), 1000, new Error('nope')))).rejects.toThrow('nope');
    const files = await readdir(root, { recursive: true, withFileTypes: true });
    expect(files.filter((f) => f.isFile()).map((f) => f.name)).toEqual([]);
  });

  it('stores objects at the key path under its root', async () => {
    const store = new FsBlobStore(root);
    await store.put('ab/cdef/0123456789abcdef0123456789', Buffer.from('here'));
    const files = await readdir(join(root, 'ab', 'cdef'));
    expect(files).toEqual(['0123456789abcdef0123456789']);
  });

  it('does not treat a directory as an object', async () => {
    const store = new FsBlobStore(root);
    await store.put('dir/child', Buffer.from('x'));
    expect(await store.exists('dir')).toBe(false);
    await expectNotFound(store.get('dir'));
    await expectNotFound(store.getBuffer('dir', Buffer.alloc(10)));
  });
});

describe('S3BlobStore specifics', () => {
  it('reports an unreachable endpoint as storage_unavailable', async () => {
    const store = new S3BlobStore({
      bucket: 'nowhere',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      keyPrefix: '',
      maxAttempts: 1,
    });
    try {
      await expect(store.exists(generateBlobPath())).rejects.toMatchObject({ code: 'storage_unavailable' });
      await expect(store.put(generateBlobPath(), Buffer.from('x'))).rejects.toMatchObject({ code: 'storage_unavailable' });
    } finally {
      await store.close();
    }
  });
});
