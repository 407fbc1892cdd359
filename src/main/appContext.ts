import { resolve } from 'node:path';
import type { Config } from '../config/config.js';
import type { Db } from '../adapters/db/connect.js';
import { migrateToLatest } from '../adapters/db/migrate.js';
import type { Redis } from '../adapters/redis/connect.js';
import { AssembleStatusStore } from '../adapters/redis/assembleStatusStore.js';
import type { BlobStore } from '../adapters/storage/BlobStore.js';
import type { Logger } from '../logging/logger.js';
import { connectDatabase, connectRedis, openBlobStore } from './services.js';

/** Everything a process role needs, built once by a composition root and closed once on shutdown. */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Db;
  redis: Redis;
  blobs: BlobStore;
  statusStore: AssembleStatusStore;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** apply pending migrations (and create the database when missing) before anything else */
  migrate: boolean;
}

export async function openAppContext(config: Config, logger: Logger, options: OpenOptions): Promise<AppContext> {
  if (options.migrate) await applyMigrations(config, logger);
  const db = await connectDatabase(config, { createIfMissing: false });
  let redis: Redis | undefined;
  try {
    redis = await connectRedis(config);
    const blobs = await openBlobStore(resolveStorage(config.storage), logger);
    const statusStore = new AssembleStatusStore(redis, config.redisPrefix);
    const opened = redis;
    return {
      config,
      logger,
      db,
      redis: opened,
      blobs,
      statusStore,
      async close() {
        await blobs.close();
        opened.disconnect();
        await db.destroy();
      },
    };
  } catch (err) {
    redis?.disconnect();
    await db.destroy();
    throw err;
  }
}

/** Applies pending migrations over DATABASE_MIGRATION_URL (else DATABASE_URL), creating the database when missing. */
async function applyMigrations(config: Config, logger: Logger): Promise<void> {
  const db = await connectDatabase({ ...config, databaseUrl: config.databaseMigrationUrl }, { createIfMissing: true });
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  } finally {
    await db.destroy();
  }
}

/** A relative STORAGE_DIR is relative to the working directory the process was started in. */
function resolveStorage(storage: Config['storage']): Config['storage'] {
  return storage.driver === 'fs' ? { ...storage, dir: resolve(storage.dir) } : storage;
}
