import type { Worker } from 'bullmq';
import { sql } from 'kysely';
import type { Config } from '../config/config.js';
import { ensureWritableTempDir } from '../adapters/files/tempDir.js';
import { ZipEntryHashThreads } from '../adapters/hashing/ZipEntryHashThreads.js';
import { bullConnection, closeBullConnection } from '../adapters/redis/connect.js';
import { bullPrefix } from '../jobs/queues.js';
import type { AssembleSettings } from '../workers/assemble/assembleReleaseBundle.js';
import { createAssembleWorker } from '../workers/assemble/createAssembleWorker.js';
import type { AssembleJobResult } from '../workers/assemble/processor.js';
import { pauseWhileDatabaseDown } from '../workers/pauseWhileDatabaseDown.js';
import type { AppContext } from './appContext.js';
import { StartupError } from './services.js';

export function assembleSettings(config: Config): AssembleSettings {
  return {
    tempDir: config.tempDir,
    releaseArchiveMinFiles: config.releaseArchiveMinFiles,
    maxFileSize: config.limits.maxFileSize,
    bundleLimits: {
      maxBundleFiles: config.limits.maxBundleFiles,
      maxBundleUncompressedBytes: config.limits.maxBundleUncompressedBytes,
      maxManifestBytes: config.limits.maxManifestBytes,
    },
  };
}

/**
 * Starts the assemble worker on its own blocking Redis connection; the caller closes it on shutdown. Refuses to start
 * (a StartupError naming TEMP_DIR) when the temp dir cannot be created or written: every job would fail otherwise.
 */
export async function startAssembleWorker(ctx: AppContext): Promise<{ worker: Worker<unknown, AssembleJobResult>; close(): Promise<void> }> {
  const { config } = ctx;
  await ensureWritableTempDir(config.tempDir).catch((err: unknown) => {
    throw new StartupError((err as Error).message);
  });
  const connection = bullConnection(config.redis, { forBullWorker: true });
  // started at the first archive job, ended when idle: an idle worker holds no thread
  const entryHashThreads =
    config.archiveHashThreads > 0
      ? new ZipEntryHashThreads(config.archiveHashThreads, {
          onFailure: (err) => ctx.logger.warn({ err }, 'An entry hashing thread failed; its entries are hashed on the main thread'),
        })
      : undefined;
  const worker = createAssembleWorker(
    { db: ctx.db, blobs: ctx.blobs, statusStore: ctx.statusStore, settings: assembleSettings(config), entryHashThreads },
    {
      connection,
      prefix: bullPrefix(config.redisPrefix),
      concurrency: config.workerConcurrency,
      logger: ctx.logger,
      lockDurationMs: config.workerLockDurationMs,
      stalledIntervalMs: config.workerStalledIntervalMs,
      tempSweepIntervalMs: config.tempSweepIntervalMs,
    },
  );
  pauseWhileDatabaseDown(worker, { probe: () => sql`SELECT 1`.execute(ctx.db), logger: ctx.logger });
  return {
    worker,
    async close() {
      await worker.close();
      await entryHashThreads?.close();
      await closeBullConnection(connection);
    },
  };
}
