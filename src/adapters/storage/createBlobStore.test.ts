import { resolve } from 'node:path';
import { createBlobStore } from './createBlobStore.js';
import { FsBlobStore } from './FsBlobStore.js';
import { S3BlobStore } from './S3BlobStore.js';

describe('createBlobStore', () => {
  it('builds a filesystem store rooted at the configured directory', async () => {
    const store = await createBlobStore({ driver: 'fs', dir: './data/blobs' });
    expect(store).toBeInstanceOf(FsBlobStore);
    expect((store as FsBlobStore).root).toBe(resolve('./data/blobs'));
    await store.close();
  });

  it('builds an S3 store from the S3 settings', async () => {
    const store = await createBlobStore({
      driver: 's3',
      s3: {
        bucket: 'artifacts',
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:9000',
        forcePathStyle: true,
        credentials: undefined,
        keyPrefix: 'blobs',
      },
    });
    expect(store).toBeInstanceOf(S3BlobStore);
    expect(store.kind).toBe('s3');
    await store.close();
  });
});
