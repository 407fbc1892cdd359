import { bullConnection } from '../adapters/redis/connect.js';
import { AssemblerClient } from '../client/assemblerClient.js';
import { parseConfig } from '../config/config.js';
import { createAssembleQueue } from '../jobs/assembleProducer.js';
import { bullPrefix } from '../jobs/queues.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { openAppContext } from './appContext.js';

export interface OpenedProducer {
  client: AssemblerClient;
  close(): Promise<void>;
}

/**
 * The queue producer for another Node service on the same Postgres, Redis and blob store as the workers: settings
 * come from `env` exactly as the service reads its own (DATABASE_URL, REDIS_URL, REDIS_PREFIX, STORAGE_*), never
 * migrating; `close` releases the queue, the pools and the store.
 */
export async function openProducer(env: Record<string, string | undefined>, logger: Logger = silentLogger): Promise<OpenedProducer> {
  const config = parseConfig(env);
  const ctx = await openAppContext(config, logger, { migrate: false });
  const queue = createAssembleQueue(bullConnection(config.redisUrl), bullPrefix(config.redisPrefix), config.jobAttempts);
  return {
    client: new AssemblerClient({ db: ctx.db, blobs: ctx.blobs, queue, statusStore: ctx.statusStore }),
    async close() {
      await queue.close();
      await ctx.close();
    },
  };
}
