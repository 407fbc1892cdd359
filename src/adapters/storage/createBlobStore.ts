import type { Config } from '../../config/config.js';
import type { BlobStore } from './BlobStore.js';
import { FsBlobStore, type FsBlobStoreOptions } from './FsBlobStore.js';

/**
 * The configured blob store. The S3 backend is imported only when it is configured: the AWS SDK adds about 22 MB
 * to every process's resident memory, which disk-storage deployments should not pay.
 */
export async function createBlobStore(storage: Config['storage'], events: Pick<FsBlobStoreOptions, 'onDirectIoRefused'> = {}): Promise<BlobStore> {
  switch (storage.driver) {
    case 'fs':
      return new FsBlobStore(storage.dir, { directIo: storage.directIo, ...events });
    case 's3': {
      const { S3BlobStore } = await import('./S3BlobStore.js');
      return new S3BlobStore(storage.s3);
    }
  }
}
