import type { Kysely } from 'kysely';
import type { Database } from '../adapters/db/schema.js';
import type { Redis } from '../adapters/redis/connect.js';
import type { AssembleStatusStore } from '../adapters/redis/assembleStatusStore.js';
import type { BlobStore } from '../adapters/storage/BlobStore.js';
import type { UploadSettings } from '../config/config.js';
import type { AssembleQueue } from '../jobs/assembleProducer.js';

/** What the Sentry-compatible upload, release and artifact routes need; built once by buildHttpApp. */
export interface HttpRouteDeps {
  db: Kysely<Database>;
  redis: Redis;
  /** key prefix of this deployment's Redis keys (caches), the same REDIS_PREFIX the workers use */
  redisPrefix: string;
  blobs: BlobStore;
  assembleQueue: AssembleQueue;
  statusStore: AssembleStatusStore;
  uploads: UploadSettings;
  /** MAX_FILE_SIZE: the largest assembled file, advertised as `maxFileSize` */
  maxFileSize: number;
  /** the default JSON body limit (routes that take uploads set their own) */
  bodyLimitBytes: number;
  /** PUBLIC_URL: the base of absolute URLs we answer; undefined: the request's origin (see publicBaseUrl) */
  publicUrl: string | undefined;
  /** SYMBOLICATION_CACHE_BYTES: the in-memory budget of parsed source maps (default DEFAULT_SYMBOLICATION_CACHE_BYTES) */
  symbolicationCacheBytes?: number | undefined;
}
