import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

/**
 * Creates an ioredis client. BullMQ workers need `maxRetriesPerRequest: null` (blocking commands must wait out a
 * reconnect); plain clients fail a command after a few retries so callers see an error instead of hanging.
 */
export function createRedis(url: string, options: { forBullWorker?: boolean; lazyConnect?: boolean } = {}): Redis {
  const extra: RedisOptions = {
    maxRetriesPerRequest: options.forBullWorker ? null : 3,
    enableReadyCheck: true,
    lazyConnect: options.lazyConnect ?? false,
  };
  const client = new Redis(url, extra);
  // Connection errors surface on commands; an unhandled 'error' event must not crash the process.
  client.on('error', () => undefined);
  return client;
}

/** Joins our key prefix (REDIS_PREFIX) and a key, so tests and tenants never see each other's keys. */
export function prefixedKey(prefix: string, key: string): string {
  return prefix ? `${prefix}:${key}` : key;
}

/**
 * Connection options (not a client) for BullMQ, so that each Queue/Worker owns and closes its own connections.
 * Workers need `maxRetriesPerRequest: null`: their blocking commands must wait out a reconnect.
 */
export function bullConnection(url: string, options: { forBullWorker?: boolean } = {}): ConnectionOptions {
  return { url, maxRetriesPerRequest: options.forBullWorker ? null : 3 };
}
