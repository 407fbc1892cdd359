import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../../src/adapters/db/connect.js';
import { FsBlobStore } from '../../src/adapters/storage/FsBlobStore.js';

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

/** Makes blobs look as if they were last used `ageSeconds` ago. */
export async function ageBlobs(db: Db, blobIds: string[], ageSeconds: number): Promise<void> {
  await sql`UPDATE file_blob SET timestamp = now() - make_interval(secs => ${ageSeconds})
            WHERE id = any(${blobIds}::bigint[])`.execute(db);
}

export async function blobRows(db: Db) {
  const rows = await db.selectFrom('file_blob').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ ...r, size: Number(r.size) }));
}
