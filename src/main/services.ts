import pg from 'pg';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { createDb, type Db } from '../adapters/db/connect.js';
import { createRedis, type Redis } from '../adapters/redis/connect.js';
import type { BlobStore } from '../adapters/storage/BlobStore.js';
import { createBlobStore } from '../adapters/storage/createBlobStore.js';
import { probeStorageWritable } from '../adapters/storage/storageProbe.js';
import { withTimeout } from '../lib/withTimeout.js';

/** A startup failure that deserves one clear line naming the setting to change, not a stack trace. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describe(err.errors[0]);
  return err instanceof Error ? err.message || err.name : String(err);
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Connects to Postgres; when the server is up but the database does not exist yet, creates it (quick start on a
 * fresh machine). Anything else is a StartupError naming DATABASE_URL.
 */
export async function connectDatabase(config: Config, options: { createIfMissing: boolean }): Promise<Db> {
  try {
    await pingPostgres(config.databaseUrl);
  } catch (err) {
    if ((err as { code?: string }).code === '3D000' && options.createIfMissing) {
      await createDatabase(config.databaseUrl);
    } else {
      throw new StartupError(
        `cannot reach Postgres at ${redactUrl(config.databaseUrl)} (${describe(err)}); set DATABASE_URL to a reachable database`,
      );
    }
  }
  return createDb({ connectionString: config.databaseUrl, maxConnections: config.databasePoolSize });
}

async function pingPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } catch (err) {
    if ((err as { code?: string }).code === '42P04') return; // created meanwhile by another process
    throw new StartupError(`cannot create database "${name}" (${describe(err)}); create it or set DATABASE_URL`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connects to Redis (server, cluster or Sentinel) and pings it; a StartupError naming the setting when unreachable. */
export async function connectRedis(config: Config, options: { forBullWorker?: boolean } = {}): Promise<Redis> {
  const redis = createRedis(config.redis, { ...options, lazyConnect: true });
  try {
    await withTimeout(redis.connect().then(() => redis.ping()), 10_000);
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new StartupError(`cannot reach ${describeRedisTarget(config)} (${describe(err)}); ${redisSettingHint(config)}`);
  }
}

const STORAGE_PROBE_TIMEOUT_MS = 15_000;

/**
 * Opens the configured blob store and proves it takes a write: a STORAGE_DIR this process cannot write, or an S3
 * bucket it cannot reach, is a StartupError naming the setting instead of a failure at the first upload.
 */
export async function openBlobStore(storage: Config['storage'], logger?: Logger): Promise<BlobStore> {
  const blobs = await createBlobStore(storage, {
    onDirectIoRefused: (err) =>
      logger?.warn({ err, dir: storage.driver === 'fs' ? storage.dir : undefined }, 'STORAGE_DIR refuses direct I/O: blobs go through the page cache from now on'),
  });
  try {
    await withTimeout(probeStorageWritable(blobs), STORAGE_PROBE_TIMEOUT_MS);
    return blobs;
  } catch (err) {
    await blobs.close().catch(() => undefined);
    throw new StartupError(
      storage.driver === 'fs'
        ? `cannot write to STORAGE_DIR ${storage.dir} (${describe(err)}); set STORAGE_DIR to a directory this process can write`
        : `cannot write to S3_BUCKET ${storage.s3.bucket}${storage.s3.endpoint ? ` at ${storage.s3.endpoint}` : ''} ` +
            `(${describe(err)}); check S3_BUCKET, S3_ENDPOINT and the S3 credentials`,
    );
  }
}

function describeRedisTarget(config: Config): string {
  const target = config.redis;
  const nodes = (list: { host: string; port: number }[]) => list.map((n) => `${n.host}:${n.port}`).join(',');
  if (target.mode === 'cluster') return `the Redis Cluster at ${nodes(target.nodes)}`;
  if (target.mode === 'sentinel') return `Redis master "${target.masterName}" through the sentinels ${nodes(target.sentinels)}`;
  return `Redis at ${redactUrl(target.url)}`;
}

function redisSettingHint(config: Config): string {
  if (config.redis.mode === 'cluster') return 'set REDIS_CLUSTER_NODES to reachable cluster nodes';
  if (config.redis.mode === 'sentinel') return 'set REDIS_SENTINELS and REDIS_SENTINEL_MASTER to reachable sentinels and a known master';
  return 'set REDIS_URL to a reachable server';
}
