import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../../src/adapters/db/connect.js';
import type { FileStoreDeps } from '../../src/adapters/files/index.js';
import type { BlobStore } from '../../src/adapters/storage/BlobStore.js';
import { FsBlobStore } from '../../src/adapters/storage/FsBlobStore.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

export interface TempFsStore {
  store: FsBlobStore;
  root: string;
  /** relative paths of every file under the root (stored objects and any stray temp file) */
  listObjects(): Promise<string[]>;
  /** deletes every stored object */
  clear(): Promise<void>;
  remove(): Promise<void>;
}

export async function createTempFsStore(): Promise<TempFsStore> {
  const root = await mkdtemp(join(tmpdir(), 'aa-files-'));
  const store = new FsBlobStore(root);
  return {
    store,
    root,
    async listObjects() {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
        .sort();
    },
    async clear() {
      await rm(root, { recursive: true, force: true });
      await mkdir(root, { recursive: true });
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** What a file-store suite works on: a database of its own, a temp filesystem store, and the deps over both. */
export interface FileStoreFixture {
  database: TestDatabase;
  fsStore: TempFsStore;
  deps: FileStoreDeps;
}

/**
 * Registers the suite's beforeAll (create the fixture, hand it to `receive`, so the suite keeps plain variables) and
 * afterAll (drop the database, remove the store; whichever was created, if setup failed half way).
 */
export function useFileStoreFixture(receive: (fixture: FileStoreFixture) => void): void {
  let database: TestDatabase | undefined;
  let fsStore: TempFsStore | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    fsStore = await createTempFsStore();
    receive({ database, fsStore, deps: { db: database.db, blobs: fsStore.store } });
  });
  afterAll(async () => {
    await database?.drop();
    await fsStore?.remove();
  });
}

/** The store, counting the objects read from it: proof that a read touches only the blobs it needs. */
export function countingStore(store: BlobStore): { store: BlobStore; reads: string[] } {
  const reads: string[] = [];
  const counting = Object.create(store) as BlobStore;
  counting.get = (key) => {
    reads.push(key);
    return store.get(key);
  };
  counting.getBuffer = (key, scratch) => {
    reads.push(key);
    return store.getBuffer(key, scratch);
  };
  return { store: counting, reads };
}

/** Makes blobs look as if they were last used `ageSeconds` ago. */
export async function ageBlobs(db: Db, blobIds: string[], ageSeconds: number): Promise<void> {
  await sql`UPDATE file_blob SET timestamp = now() - make_interval(secs => ${ageSeconds})
            WHERE id = any(${blobIds}::bigint[])`.execute(db);
}

export async function blobRows(db: Db) {
  const rows = await db.selectFrom('file_blob').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ ...r, size: Number(r.size) }));
}
