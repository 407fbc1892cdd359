import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlobStore } from '../../src/adapters/storage/BlobStore.js';
import { FsBlobStore } from '../../src/adapters/storage/FsBlobStore.js';
import { S3BlobStore } from '../../src/adapters/storage/S3BlobStore.js';
import { startTestS3, type TestS3 } from './s3rver.js';

/** One storage driver, private to a test file: `setup` gives its store, `teardown` removes all it wrote. */
export interface StoreBackend {
  name: string;
  setup(): Promise<BlobStore>;
  teardown(): Promise<void>;
}

function fsStoreBackend(): StoreBackend {
  let root: string | undefined;
  return {
    name: 'filesystem',
    async setup() {
      root = await mkdtemp(join(tmpdir(), 'aa-store-'));
      return new FsBlobStore(root);
    },
    teardown: async () => {
      if (root) await rm(root, { recursive: true, force: true });
    },
  };
}

function s3StoreBackend(keyPrefix: string): StoreBackend {
  let s3: TestS3 | undefined;
  let store: BlobStore | undefined;
  return {
    name: 'S3 (s3rver)',
    async setup() {
      s3 = await startTestS3();
      store = new S3BlobStore({ ...s3.settings, keyPrefix });
      return store;
    },
    async teardown() {
      await store?.close();
      await s3?.stop();
    },
  };
}

/** Both drivers, for `describe.each`: code that reads or writes blobs must behave the same on disk and on S3. */
export function storeBackends(s3KeyPrefix: string): StoreBackend[] {
  return [fsStoreBackend(), s3StoreBackend(s3KeyPrefix)];
}
