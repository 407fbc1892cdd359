import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { compressBuffer } from '../../src/adapters/compression/zstd.js';
import {
  collectStream,
  ensureBlobOwner,
  BlobReader,
  openBlobStream,
  storeBlob,
  type FileStoreDeps,
} from '../../src/adapters/files/index.js';
import type { BlobStore } from '../../src/adapters/storage/BlobStore.js';
import { AppError } from '../../src/domain/errors.js';
import type { TestDatabase } from '../support/database.js';
import { ageBlobs, blobRows, type TempFsStore, useFileStoreFixture } from './helpers.js';
import { sha1 } from '../support/sha1.js';

/** One blob's bytes, read by a reader of its own (as the chunk joiner reads them). */
const readBlob = (deps: FileStoreDeps, blobId: string) => new BlobReader(deps).read(blobId);


/** A store whose puts wait until `count` of them have started (or two seconds passed). */
function holdPutsUntil(inner: BlobStore, count: number): { store: BlobStore; puts: () => number } {
  let started = 0;
  let release: () => void = () => undefined;
  const allStarted = new Promise<void>((resolve) => (release = resolve));
  const timeout = setTimeout(release, 2000);
  const store: BlobStore = {
    kind: inner.kind,
    async put(key, body) {
      started += 1;
      if (started >= count) {
        clearTimeout(timeout);
        release();
      }
      await allStarted;
      return inner.put(key, body);
    },
    get: (key) => inner.get(key),
    getBuffer: (key, scratch) => inner.getBuffer(key, scratch),
    delete: (key) => inner.delete(key),
    exists: (key) => inner.exists(key),
    removeAbandonedWrites: (olderThan) => inner.removeAbandonedWrites(olderThan),
    close: () => inner.close(),
  };
  return { store, puts: () => started };
}

describe('storeBlob and blob reads (Postgres + filesystem store)', () => {
  let database: TestDatabase;
  let fsStore: TempFsStore;
  let deps: FileStoreDeps;

  useFileStoreFixture((fixture) => {
    ({ database, fsStore, deps } = fixture);
  });

  beforeEach(async () => {
    await database.db.deleteFrom('file_blob').execute();
  });

  it('stores content once: the same bytes twice give one row and one object', async () => {
    const data = randomBytes(20_000);
    const first = await storeBlob(deps, data);
    const second = await storeBlob(deps, Buffer.from(data));
    expect(second).toEqual(first);
    expect(first).toEqual({ id: expect.any(String), checksum: sha1(data), size: data.length });
    const rows = await blobRows(database.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ checksum: sha1(data), size: 20_000, compression: 'zstd', inline_data: null });
    expect(await fsStore.listObjects()).toEqual([rows[0]!.path]);
    expect(rows[0]!.path).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{4}\/[0-9a-f]{26}$/);
  });

  it('settles concurrent stores of identical content on one row and leaves no stray objects', async () => {
    const racers = 12;
    const before = await fsStore.listObjects();
    // Every racer is held at its object write until all have got there: all pass the lookup, all race the insert.
    const barrier = holdPutsUntil(fsStore.store, racers);
    const data = Buffer.concat([randomBytes(50_000), Buffer.alloc(50_000, 1)]);
    const results = await Promise.all(
      Array.from({ length: racers }, () => storeBlob({ ...deps, blobs: barrier.store }, Buffer.from(data))),
    );
    expect(barrier.puts()).toBe(racers);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const rows = await blobRows(database.db);
    expect(rows).toHaveLength(1);
    const after = (await fsStore.listObjects()).filter((p) => !before.includes(p));
    expect(after).toEqual([rows[0]!.path]);
    expect(await readBlob(deps, results[0]!.id)).toEqual(data);
  });

  it('stores the object zstd-compressed', async () => {
    const data = Buffer.from('const answer = 42;\n'.repeat(5000));
    const blob = await storeBlob(deps, data);
    const [row] = await blobRows(database.db);
    const stored = await collectStream(await fsStore.store.get(row!.path!));
    expect(stored.length).toBeLessThan(data.length / 10);
    expect(stored).toEqual(compressBuffer(data));
    expect(await readBlob(deps, blob.id)).toEqual(data);
  });

  it('keeps tiny printable blobs inline, with no object', async () => {
    const before = await fsStore.listObjects();
    const tiny = Buffer.from('{"version":3,"sources":[]}');
    const blob = await storeBlob(deps, tiny);
    const limit = await storeBlob(deps, Buffer.alloc(192, 'x'));
    const [row, limitRow] = await blobRows(database.db);
    expect(row).toMatchObject({ path: null, compression: 'none', inline_data: tiny, size: tiny.length });
    expect(limitRow).toMatchObject({ path: null, compression: 'none', size: 192 });
    expect(await fsStore.listObjects()).toEqual(before);
    expect(await readBlob(deps, blob.id)).toEqual(tiny);
    expect(await readBlob(deps, limit.id)).toEqual(Buffer.alloc(192, 'x'));
  });

  it('stores as objects what is too long or not printable', async () => {
    await storeBlob(deps, Buffer.alloc(193, 'x'));
    await storeBlob(deps, Buffer.from('tab\tis fine but NUL \0 is not'));
    const rows = await blobRows(database.db);
    expect(rows.map((r) => [r.compression, r.inline_data === null, r.path !== null])).toEqual([
      ['zstd', true, true],
      ['zstd', true, true],
    ]);
  });

  it('stores the empty blob inline', async () => {
    const blob = await storeBlob(deps, Buffer.alloc(0));
    expect(blob).toMatchObject({ size: 0, checksum: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' });
    expect((await readBlob(deps, blob.id)).length).toBe(0);
  });

  it('refuses content whose checksum differs from the expected one, storing nothing', async () => {
    const before = await fsStore.listObjects();
    const attempt = storeBlob(deps, randomBytes(1000), { expectedChecksum: sha1(Buffer.from('other')) });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: 'checksum_mismatch', message: 'Checksum mismatch' });
    expect(await blobRows(database.db)).toEqual([]);
    expect(await fsStore.listObjects()).toEqual(before);
  });

  it('accepts a matching expected checksum in any letter case', async () => {
    const data = randomBytes(500);
    await expect(storeBlob(deps, data, { expectedChecksum: sha1(data).toUpperCase() })).resolves.toMatchObject({
      checksum: sha1(data),
    });
  });

  it('records each owning organisation once', async () => {
    const data = randomBytes(300);
    const blob = await storeBlob(deps, data, { organizationId: '11' });
    await storeBlob(deps, data, { organizationId: '11' });
    await storeBlob(deps, data, { organizationId: '12' });
    await storeBlob(deps, data);
    await ensureBlobOwner(database.db, blob.id, '12');
    const owners = await database.db
      .selectFrom('file_blob_owner')
      .select(['blob_id', 'organization_id'])
      .orderBy('organization_id')
      .execute();
    expect(owners).toEqual([
      { blob_id: blob.id, organization_id: '11' },
      { blob_id: blob.id, organization_id: '12' },
    ]);
  });

  it('renews a reused blob older than 12 hours, and only then', async () => {
    const data = randomBytes(400);
    const blob = await storeBlob(deps, data);
    await ageBlobs(database.db, [blob.id], 11 * 3600);
    const timestampOf = async () => (await blobRows(database.db))[0]!.timestamp.getTime();
    const elevenHoursOld = await timestampOf();
    await storeBlob(deps, data);
    expect(await timestampOf()).toBe(elevenHoursOld);
    await ageBlobs(database.db, [blob.id], 13 * 3600);
    await storeBlob(deps, data);
    expect(Date.now() - (await timestampOf())).toBeLessThan(60_000);
  });

  it('streams blobs of every kind back decompressed', async () => {
    const inline = Buffer.from('inline content');
    const small = Buffer.concat([randomBytes(1000), Buffer.alloc(5000, 9)]);
    await storeBlob(deps, inline);
    await storeBlob(deps, small);
    const rows = await blobRows(database.db);
    for (const [row, expected] of [
      [rows[0]!, inline],
      [rows[1]!, small],
    ] as const) {
      expect(await collectStream(await openBlobStream(deps, row))).toEqual(expected);
      // without a size the zstd blob takes the streaming path
      expect(await collectStream(await openBlobStream(deps, { ...row, size: undefined }))).toEqual(expected);
    }
  });

  it('reads uncompressed stored objects as they are', async () => {
    await fsStore.store.put('raw/0000/plain', Buffer.from('plain bytes'));
    const stream = await openBlobStream(deps, { path: 'raw/0000/plain', inline_data: null, compression: 'none' });
    expect((await collectStream(stream)).toString()).toBe('plain bytes');
  });

  it('fails a stream over a corrupt object instead of returning garbage', async () => {
    await fsStore.store.put('bad/0000/zstd', Readable.from([Buffer.from('not zstd at all')]));
    const location = { path: 'bad/0000/zstd', inline_data: null, compression: 'zstd' };
    await expect(collectStream(await openBlobStream(deps, location))).rejects.toThrow();
    await expect(openBlobStream(deps, { ...location, compression: 'brotli' })).rejects.toMatchObject({ code: 'internal' });
  });

  it('reports a missing blob or object as not_found', async () => {
    await expect(readBlob(deps, '999999')).rejects.toMatchObject({ code: 'not_found' });
    const blob = await storeBlob(deps, randomBytes(1000));
    const [row] = await blobRows(database.db);
    await fsStore.store.delete(row!.path!);
    await expect(readBlob(deps, blob.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('stores blobs inside a caller transaction and sees them afterwards', async () => {
    const data = randomBytes(2000);
    const blob = await database.db.transaction().execute((tx) => storeBlob({ ...deps, db: tx }, data, { organizationId: '7' }));
    expect(await readBlob(deps, blob.id)).toEqual(data);
  });
});
