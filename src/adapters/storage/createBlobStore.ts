import type { Config } from '../../config/config.js';
import type { BlobStore } from './BlobStore.js';
import { FsBlobStore } from './FsBlobStore.js';
import { S3BlobStore } from './S3BlobStore.js';

export function createBlobStore(storage: Config['storage']): BlobStore {
  switch (storage.driver) {
    case 'fs':
      return new FsBlobStore(storage.dir);
    case 's3':
      return new S3BlobStore(storage.s3);
  }
}
