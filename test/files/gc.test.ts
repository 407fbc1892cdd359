import { randomBytes } from 'node:crypto';
import { collectGarbageBlobs, collectStream, deleteFiles, openFileStream, putFile, readFileBuffer, storeBlob, type FileStoreDeps } from '../../src/adapters/files/index.js';
import type { BlobStore } from '../../src/adapters/storage/BlobStore.js';
import type { TestDatabase } from '../support/database.js';
import { ageBlobs, blobRows, type TempFsStore, useFileStoreFixture } from './helpers.js';

const DAY = 24 * 3600;

describe('collectGarbageBlobs', () => {
  let database: TestDatabase;
  let fsStore: TempFsStore;
  let deps: FileStoreDeps;

  useFileStoreFixture((fixture) => {
    ({ database, fsStore, deps } = fixture);
  });

  beforeEach(async () => {
    await database.db.deleteFrom('file').execute();
    await database.db.deleteFrom('file_blob').execute();
    await fsStore.clear();
  });

  it('removes old unreferenced blobs (row, owners and object) and keeps referenced or recent ones', async () => {
    const oldGarbage = await storeBlob(deps, randomBytes(5000), { organizationId: '5' });
    const oldInlineGarbage = await storeBlob(deps, Buffer.from('tiny and unreferenced'));
    const recentGarbage = await storeBlob(deps, randomBytes(5000));
    const referencedContent = randomBytes(5000);
    const file = await putFile(deps, { name: 'kept', type: 'default' }, referencedContent);
    const all = await blobRows(database.db);
    await ageBlobs(database.db, all.filter((r) => r.id !== recentGarbage.id).map((r) => r.id), 2 * DAY);
    const garbagePath = all.find((r) => r.id === oldGarbage.id)!.path!;

    const result = await collectGarbageBlobs(deps, { graceSeconds: DAY });

    expect(result).toEqual({ removed: 2, failedObjectDeletes: 0, removedTempFiles: 0 });
    const remaining = await blobRows(database.db);
    expect(remaining.map((r) => r.id).sort()).toEqual(
      all.filter((r) => ![oldGarbage.id, oldInlineGarbage.id].includes(r.id)).map((r) => r.id).sort(),
    );
    expect(await fsStore.store.exists(garbagePath)).toBe(false);
    expect(await fsStore.listObjects()).toEqual(remaining.map((r) => r.path).sort());
    expect(await database.db.selectFrom('file_blob_owner').selectAll().execute()).toEqual([]);
    expect(await readFileBuffer(deps, file.id)).toEqual(referencedContent);
  });

  it('judges age against the given reference time', async () => {
    const blob = await storeBlob(deps, randomBytes(3000));
    expect(await collectGarbageBlobs(deps, { graceSeconds: DAY })).toMatchObject({ removed: 0 });
    const inTwoDays = new Date(Date.now() + 2 * DAY * 1000);
    expect(await collectGarbageBlobs(deps, { graceSeconds: DAY, now: inTwoDays })).toMatchObject({ removed: 1 });
    expect((await blobRows(database.db)).map((r) => r.id)).not.toContain(blob.id);
  });

  it('keeps the blobs of a deleted file for a grace period: a download that started before the delete ends whole', async () => {
    const content = randomBytes(3000);
    const file = await putFile(deps, { name: 'replaced', type: 'default' }, content, { blobSize: 1000 });
    await ageBlobs(database.db, (await blobRows(database.db)).map((r) => r.id), 30 * DAY);
    // the reader has the blob list (a snapshot read); then a copy-on-write update deletes the file, and GC runs
    const download = await openFileStream(deps, file.id);
    await deleteFiles(database.db, [file.id]);
    expect(await collectGarbageBlobs(deps, { graceSeconds: DAY })).toMatchObject({ removed: 0 });
    expect(await collectStream(download)).toEqual(content);
    const later = new Date(Date.now() + 2 * DAY * 1000);
    expect(await collectGarbageBlobs(deps, { graceSeconds: DAY, now: later })).toMatchObject({ removed: 3 });
  });

  it('collects blobs left behind when their files are deleted', async () => {
    const file = await putFile(deps, { name: 'gone', type: 'default' }, randomBytes(3000), { blobSize: 1000 });
    await database.db.deleteFrom('file').where('id', '=', file.id).execute();
    const later = new Date(Date.now() + 2 * DAY * 1000);
    expect(await collectGarbageBlobs(deps, { graceSeconds: DAY, now: later })).toMatchObject({ removed: 3 });
    expect(await fsStore.listObjects()).toEqual([]);
  });

  it('works through many blobs in batches', async () => {
    for (let i = 0; i < 7; i += 1) await storeBlob(deps, randomBytes(1000));
    const later = new Date(Date.now() + 2 * DAY * 1000);
    expect(await collectGarbageBlobs(deps, { graceSeconds: DAY, now: later, batchSize: 2 })).toMatchObject({ removed: 7 });
    expect(await blobRows(database.db)).toEqual([]);
  });

  it('spares a blob that another transaction is linking to a file right now', async () => {
    const blob = await storeBlob(deps, randomBytes(4000));
    await ageBlobs(database.db, [blob.id], 2 * DAY);
    let releaseLinker: () => void = () => undefined;
    const linkerMayCommit = new Promise<void>((resolve) => (releaseLinker = resolve));
    let linked: () => void = () => undefined;
    const indexRowInserted = new Promise<void>((resolve) => (linked = resolve));
    const linker = database.db.transaction().execute(async (tx) => {
      const file = await tx
        .insertInto('file')
        .values({ name: 'racing', type: 'default', headers: '{}', size: 4000 })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx.insertInto('file_blob_index').values({ file_id: file.id, blob_id: blob.id, offset: 0 }).execute();
      linked();
      await linkerMayCommit;
    });
    await indexRowInserted;
    // The uncommitted index row is invisible to the GC's snapshot, but its key-share lock on the blob is not.
    const result = await collectGarbageBlobs(deps, { graceSeconds: DAY });
    releaseLinker();
    await linker;
    expect(result.removed).toBe(0);
    expect((await blobRows(database.db)).map((r) => r.id)).toEqual([blob.id]);
  });

  it('counts object deletes that fail, after removing the rows', async () => {
    await storeBlob(deps, randomBytes(2000));
    await storeBlob(deps, randomBytes(2000));
    const failing: BlobStore = {
      kind: 'fs',
      put: () => Promise.reject(new Error('unused')),
      get: () => Promise.reject(new Error('unused')),
      getBuffer: () => Promise.reject(new Error('unused')),
      exists: () => Promise.reject(new Error('unused')),
      delete: () => Promise.reject(new Error('storage down')),
      removeAbandonedWrites: () => Promise.resolve(0),
      close: () => Promise.resolve(),
    };
    const later = new Date(Date.now() + 2 * DAY * 1000);
    const result = await collectGarbageBlobs({ db: database.db, blobs: failing }, { graceSeconds: DAY, now: later });
    expect(result).toEqual({ removed: 2, failedObjectDeletes: 2, removedTempFiles: 0 });
    expect(await blobRows(database.db)).toEqual([]);
  });
});
