import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  collectStream,
  createFileFromBlobs,
  deleteFiles,
  openFileStream,
  putFile,
  readFileBuffer,
  type FileStoreDeps,
} from '../../src/adapters/files/index.js';
import type { BlobStore } from '../../src/adapters/storage/BlobStore.js';
import { S3BlobStore } from '../../src/adapters/storage/S3BlobStore.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startTestS3, type TestS3 } from '../support/s3rver.js';
import { blobRows, type TempFsStore, useFileStoreFixture } from './helpers.js';
import { sha1 } from '../support/sha1.js';

const MiB = 1024 * 1024;

/** Streams `data` in uneven pieces, as a network source would. */
function streamOf(data: Buffer, pieceSize = 100_003): Readable {
  async function* pieces() {
    for (let offset = 0; offset < data.length; offset += pieceSize) yield data.subarray(offset, offset + pieceSize);
  }
  return Readable.from(pieces(), { objectMode: false });
}

async function indexRows(database: TestDatabase, fileId: string) {
  const rows = await database.db
    .selectFrom('file_blob_index')
    .select(['blob_id', 'offset'])
    .where('file_id', '=', fileId)
    .orderBy('offset')
    .execute();
  return rows.map((r) => ({ blobId: r.blob_id, offset: Number(r.offset) }));
}

describe('files on Postgres + filesystem store', () => {
  let database: TestDatabase;
  let fsStore: TempFsStore;
  let deps: FileStoreDeps;

  useFileStoreFixture((fixture) => {
    ({ database, fsStore, deps } = fixture);
  });

  it.each([
    ['text/javascript; charset=utf-8', 'app.js', 'text/javascript'],
    [null, 'app.js', 'text/javascript'],
    [null, 'app.js.map', 'application/json'],
    [null, 'no-extension', 'application/octet-stream'],
  ])('normalises the content type %p of %s to %s when asked', async (contentType, name, expected) => {
    const file = await putFile(deps, { name, type: 'release.file', headers: { Sourcemap: 'x.map' }, contentType }, Buffer.from('x'));
    const row = await database.db.selectFrom('file').select('headers').where('id', '=', file.id).executeTakeFirstOrThrow();
    expect(row.headers).toEqual({ Sourcemap: 'x.map', 'Content-Type': expected });
  });

  it('keeps headers verbatim when no content type is asked for', async () => {
    const file = await putFile(deps, { name: 'a.js', type: 'release.file', headers: { Sourcemap: 'a.js.map' } }, Buffer.from('a'));
    const row = await database.db.selectFrom('file').select('headers').where('id', '=', file.id).executeTakeFirstOrThrow();
    expect(row.headers).toEqual({ Sourcemap: 'a.js.map' });
  });

  it('cuts "foo bar" with blob size 3 into blobs at offsets 0, 3 and 6', async () => {
    const file = await putFile(deps, { name: 'foo.txt', type: 'default' }, Buffer.from('foo bar'), { blobSize: 3 });
    expect(file).toEqual({ id: expect.any(String), size: 7, checksum: sha1(Buffer.from('foo bar')) });
    const rows = await indexRows(database, file.id);
    expect(rows.map((r) => r.offset)).toEqual([0, 3, 6]);
    const blobs = await database.db
      .selectFrom('file_blob')
      .select(['id', 'checksum', 'size'])
      .where('id', 'in', rows.map((r) => r.blobId))
      .execute();
    const byId = new Map(blobs.map((b) => [b.id, b]));
    expect(rows.map((r) => byId.get(r.blobId)?.checksum)).toEqual(['foo', ' ba', 'r'].map((s) => sha1(Buffer.from(s))));
    expect((await readFileBuffer(deps, file.id)).toString()).toBe('foo bar');
  });

  it('writes the file row with its name, type, headers, size and checksum', async () => {
    const file = await putFile(
      deps,
      { name: '~/app.js', type: 'release.file', headers: { 'Content-Type': 'text/javascript' } },
      Buffer.from('console.log(1)'),
    );
    const row = await database.db.selectFrom('file').selectAll().where('id', '=', file.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      name: '~/app.js',
      type: 'release.file',
      headers: { 'Content-Type': 'text/javascript' },
      size: '14',
      checksum: sha1(Buffer.from('console.log(1)')),
    });
  });

  it('reuses blobs for repeated pieces, within a file and across files', async () => {
    const piece = randomBytes(1000);
    const content = Buffer.concat([piece, piece, piece]);
    const blobCount = async () => (await blobRows(database.db)).length;
    const before = await blobCount();
    const first = await putFile(deps, { name: 'a', type: 'default' }, content, { blobSize: 1000 });
    const second = await putFile(deps, { name: 'b', type: 'default' }, streamOf(content, 333), { blobSize: 1000 });
    expect(await blobCount()).toBe(before + 1);
    const rows = await indexRows(database, first.id);
    expect(rows.map((r) => r.offset)).toEqual([0, 1000, 2000]);
    expect(new Set(rows.map((r) => r.blobId)).size).toBe(1);
    expect(await readFileBuffer(deps, second.id)).toEqual(content);
  });

  it('stores an empty file with no blobs', async () => {
    const file = await putFile(deps, { name: 'empty', type: 'default' }, Readable.from([], { objectMode: false }));
    expect(file).toMatchObject({ size: 0, checksum: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' });
    expect(await indexRows(database, file.id)).toEqual([]);
    expect((await readFileBuffer(deps, file.id)).length).toBe(0);
  });

  it('reads a file lazily, opening one blob at a time', async () => {
    const content = randomBytes(4 * 64 * 1024);
    const file = await putFile(deps, { name: 'lazy', type: 'default' }, content, { blobSize: 64 * 1024 });
    const opened: string[] = [];
    const inner = fsStore.store;
    const spying: BlobStore = {
      kind: inner.kind,
      put: (key, body) => inner.put(key, body),
      get: (key) => (opened.push(key), inner.get(key)),
      getBuffer: (key, scratch) => (opened.push(key), inner.getBuffer(key, scratch)),
      delete: (key) => inner.delete(key),
      exists: (key) => inner.exists(key),
      removeAbandonedWrites: (olderThan) => inner.removeAbandonedWrites(olderThan),
      close: () => inner.close(),
    };
    const stream = await openFileStream({ db: database.db, blobs: spying }, file.id);
    expect(opened).toHaveLength(0);
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(opened.length).toBeLessThanOrEqual(2);
    await iterator.return?.();
    expect(stream.destroyed).toBe(true);
  });

  it('fails reading a file whose blob object went missing', async () => {
    const content = randomBytes(3000);
    const file = await putFile(deps, { name: 'broken', type: 'default' }, content, { blobSize: 1000 });
    const [, middle] = await indexRows(database, file.id);
    const blob = await database.db.selectFrom('file_blob').select('path').where('id', '=', middle!.blobId).executeTakeFirstOrThrow();
    await fsStore.store.delete(blob.path!);
    await expect(readFileBuffer(deps, file.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reports an unknown file as not_found, without its internal id in the message (it may reach a client)', async () => {
    const error = await openFileStream(deps, '987654321').catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'not_found', details: { fileId: '987654321' } });
    expect((error as Error).message).not.toContain('987654321');
  });

  it('caps readFileBuffer at maxBytes', async () => {
    const file = await putFile(deps, { name: 'big-ish', type: 'default' }, randomBytes(5000));
    await expect(readFileBuffer(deps, file.id, { maxBytes: 4999 })).rejects.toMatchObject({ code: 'file_too_large' });
    expect((await readFileBuffer(deps, file.id, { maxBytes: 5000 })).length).toBe(5000);
  });

  it('builds a file from existing blobs in the given order, repeats included', async () => {
    const a = await putFile(deps, { name: 'a', type: 'default' }, Buffer.from('AAAA-'));
    const b = await putFile(deps, { name: 'b', type: 'default' }, Buffer.from('bb-'));
    const [blobA] = await indexRows(database, a.id);
    const [blobB] = await indexRows(database, b.id);
    const expected = Buffer.from('bb-AAAA-bb-bb-');
    const file = await createFileFromBlobs(
      database.db,
      { name: 'combined', type: 'release.bundle', checksum: sha1(expected) },
      [
        { id: blobB!.blobId, size: 3 },
        { id: blobA!.blobId, size: 5 },
        { id: blobB!.blobId, size: 3 },
        { id: blobB!.blobId, size: 3 },
      ],
    );
    expect(file).toEqual({ id: expect.any(String), size: 14, checksum: sha1(expected) });
    expect((await indexRows(database, file.id)).map((r) => r.offset)).toEqual([0, 3, 8, 11]);
    expect(await readFileBuffer(deps, file.id)).toEqual(expected);
  });

  it('refuses to link a blob that does not exist, leaving no file row', async () => {
    const filesBefore = await database.db.selectFrom('file').select('id').execute();
    const attempt = createFileFromBlobs(database.db, { name: 'x', type: 'default', checksum: 'f'.repeat(40) }, [
      { id: '424242', size: 1 },
    ]);
    await expect(attempt).rejects.toMatchObject({ code: 'db_conflict' });
    expect(await database.db.selectFrom('file').select('id').execute()).toEqual(filesBefore);
  });

  it('joins the caller transaction: a rollback leaves no file', async () => {
    let fileId = '';
    await expect(
      database.db.transaction().execute(async (tx) => {
        fileId = (await putFile({ ...deps, db: tx }, { name: 'rolled back', type: 'default' }, randomBytes(3000))).id;
        throw new Error('caller changed its mind');
      }),
    ).rejects.toThrow('caller changed its mind');
    expect(fileId).not.toBe('');
    expect(await database.db.selectFrom('file').select('id').where('id', '=', fileId).execute()).toEqual([]);
  });

  it('deletes file rows and their index rows, leaving blobs to the GC', async () => {
    const blobsBefore = (await blobRows(database.db)).length;
    const one = await putFile(deps, { name: 'one', type: 'default' }, randomBytes(2500), { blobSize: 1000 });
    const two = await putFile(deps, { name: 'two', type: 'default' }, randomBytes(100));
    const keep = await putFile(deps, { name: 'keep', type: 'default' }, randomBytes(100));
    await deleteFiles(database.db, [one.id, two.id]);
    await deleteFiles(database.db, []);
    const remaining = await database.db
      .selectFrom('file')
      .select('id')
      .where('id', 'in', [one.id, two.id, keep.id])
      .execute();
    expect(remaining.map((r) => r.id)).toEqual([keep.id]);
    expect(await indexRows(database, one.id)).toEqual([]);
    expect((await blobRows(database.db)).length).toBe(blobsBefore + 5);
  });

  it('round-trips a ~5 MiB random file from a stream', async () => {
    const content = randomBytes(5 * MiB + 777);
    const file = await putFile(deps, { name: 'big.bin', type: 'default' }, streamOf(content));
    expect(file).toEqual({ id: expect.any(String), size: content.length, checksum: sha1(content) });
    expect((await indexRows(database, file.id)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5].map((n) => n * MiB));
    const read = await collectStream(await openFileStream(deps, file.id));
    expect(sha1(read)).toBe(sha1(content));
  });
});

describe('files on Postgres + S3 store (s3rver)', () => {
  let database: TestDatabase;
  let s3: TestS3;
  let store: BlobStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    s3 = await startTestS3();
    store = new S3BlobStore({ ...s3.settings, keyPrefix: 'files-test' });
  });

  afterAll(async () => {
    await store?.close();
    await s3?.stop();
    await database?.drop();
  });

  it('round-trips a ~5 MiB random file', async () => {
    const deps = { db: database.db, blobs: store };
    const content = Buffer.concat([randomBytes(5 * MiB), Buffer.from('tail')]);
    const file = await putFile(deps, { name: 'big.bin', type: 'default' }, streamOf(content));
    expect(file.checksum).toBe(sha1(content));
    const rows = await blobRows(database.db);
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      if (row.path !== null) expect(await store.exists(row.path)).toBe(true);
    }
    expect(sha1(await collectStream(await openFileStream(deps, file.id)))).toBe(sha1(content));
  });
});
