import type { Worker } from 'bullmq';
import { sql } from 'kysely';
import type { Config } from '../config/config.js';
import { bullConnection } from '../adapters/redis/connect.js';
import { bullPrefix } from '../jobs/queues.js';
import type { AssembleSettings } from '../workers/assemble/assembleReleaseBundle.js';
import { createAssembleWorker } from '../workers/assemble/createAssembleWorker.js';
import type { AssembleJobResult } from '../workers/assemble/processor.js';
import { pauseWhileDatabaseDown } from '../workers/pauseWhileDatabaseDown.js';
import type { AppContext } from './appContext.js';

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

/** Starts the assemble worker on its own blocking Redis connection; the caller closes it on shutdown. */
export function startAssembleWorker(ctx: AppContext): Worker<unknown, AssembleJobResult> {
  const { config } = ctx;
  const worker = createAssembleWorker(
    { db: ctx.db, blobs: ctx.blobs, statusStore: ctx.statusStore, settings: assembleSettings(config) },
    {
      connection: bullConnection(config.redisUrl, { forBullWorker: true }),
      prefix: bullPrefix(config.redisPrefix),
      concurrency: config.workerConcurrency,
      logger: ctx.logger,
      lockDurationMs: config.workerLockDurationMs,
      stalledIntervalMs: config.workerStalledIntervalMs,
    },
  );
  pauseWhileDatabaseDown(worker, { probe: () => sql`SELECT 1`.execute(ctx.db), logger: ctx.logger });
  return worker;
}
