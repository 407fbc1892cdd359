import type { ConnectionOptions } from 'bullmq';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisAuth, RedisTarget } from '../../config/config.js';

export type { Redis };

/**
 * Failover tuning: a master that dies is replaced by its replica after the cluster's node timeout or Sentinel's
 * down-after-milliseconds plus an election (about 5 s with short timeouts, 15-30 s with the defaults). Commands
 * issued meanwhile must wait, not fail, for about that long, then fail so an HTTP request can answer 503.
 */
export const FAILOVER_TUNING = {
  /** cluster: wait before re-sending a command whose node went away (then the slots are refreshed) */
  retryDelayOnFailoverMs: 300,
  /** cluster: wait before re-sending after CLUSTERDOWN (the slot has no master while the replica is promoted) */
  retryDelayOnClusterDownMs: 300,
  /** cluster: re-sends allowed per command (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, lost node): 100 x 300 ms = 30 s */
  maxRedirections: 100,
  /** cluster: CLUSTER SLOTS answer time allowed; a dying node must not stall the refresh for long */
  slotsRefreshTimeoutMs: 2000,
  /** single server / Sentinel: reconnect delay grows by this per attempt, capped at reconnectMaxDelayMs */
  reconnectStepMs: 200,
  reconnectMaxDelayMs: 1000,
  /** single server behind Sentinel: reconnect attempts a plain command waits through (~20 s) before it fails */
  sentinelRetriesPerRequest: 20,
  /**
   * every client: a blocking command (BullMQ's BZPOPMIN, QueueEvents' XREAD) that waits in the offline queue of a
   * connection that died is answered "nothing" by ioredis after this long (a written one: after its own timeout +
   * 100 ms) instead of waiting for good, so an idle worker's loop turns by itself. 5 s is BullMQ's usual block time,
   * so this normally comes before BullMQ's watchdog (block time + 1 s), which tears the whole connection down.
   */
  blockingTimeoutMs: 5000,
} as const;

type ClientRole = { forBullWorker?: boolean; lazyConnect?: boolean };

/**
 * Creates the Redis client for REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS. BullMQ workers need
 * `maxRetriesPerRequest: null` (blocking commands must wait out a reconnect); plain clients fail a command after a
 * bounded wait so callers see an error instead of hanging. A Cluster speaks the same commands as a single server for
 * keys in one slot (our REDIS_PREFIX hash tag guarantees that), so callers keep one client type.
 */
export function createRedis(target: RedisTarget | string, options: ClientRole = {}): Redis {
  const resolved: RedisTarget = typeof target === 'string' ? standalone(target) : target;
  const client =
    resolved.mode === 'cluster'
      ? (new Cluster(resolved.nodes, clusterOptions(resolved.auth, options)) as unknown as Redis)
      : resolved.mode === 'sentinel'
        ? new Redis(sentinelOptions(resolved, options))
        : new Redis(resolved.url, { ...authOptions(resolved.auth), ...plainOptions(options) });
  // Connection errors surface on commands; an unhandled 'error' event must not crash the process.
  client.on('error', () => undefined);
  return client;
}

function standalone(url: string): RedisTarget {
  return { mode: 'standalone', url, auth: { username: undefined, password: undefined, tls: false } };
}

function plainOptions(options: ClientRole): RedisOptions {
  return {
    maxRetriesPerRequest: options.forBullWorker ? null : 3,
    enableReadyCheck: true,
    lazyConnect: options.lazyConnect ?? false,
    blockingTimeout: FAILOVER_TUNING.blockingTimeoutMs,
  };
}

function authOptions(auth: RedisAuth): RedisOptions {
  return {
    ...(auth.username ? { username: auth.username } : {}),
    ...(auth.password ? { password: auth.password } : {}),
    ...(auth.tls ? { tls: {} } : {}),
  };
}

const reconnectDelay = (times: number): number =>
  Math.min(times * FAILOVER_TUNING.reconnectStepMs, FAILOVER_TUNING.reconnectMaxDelayMs);

/** ioredis Cluster options: node credentials/TLS on every node, and waits that outlast a failover. */
export function clusterOptions(auth: RedisAuth, options: ClientRole = {}): ClusterOptions {
  return {
    redisOptions: {
      ...authOptions(auth),
      // commands wait in the offline queue while a node reconnects; the cluster-level retries below bound them
      maxRetriesPerRequest: options.forBullWorker ? null : 3,
      blockingTimeout: FAILOVER_TUNING.blockingTimeoutMs,
    },
    lazyConnect: options.lazyConnect ?? false,
    enableReadyCheck: true,
    enableOfflineQueue: true,
    retryDelayOnFailover: FAILOVER_TUNING.retryDelayOnFailoverMs,
    retryDelayOnClusterDown: FAILOVER_TUNING.retryDelayOnClusterDownMs,
    retryDelayOnTryAgain: FAILOVER_TUNING.retryDelayOnFailoverMs,
    retryDelayOnMoved: 0,
    maxRedirections: FAILOVER_TUNING.maxRedirections,
    slotsRefreshTimeout: FAILOVER_TUNING.slotsRefreshTimeoutMs,
    // every seed unreachable (the whole cluster restarting): keep trying, never give up (null would stop the client)
    clusterRetryStrategy: reconnectDelay,
    // TLS (e.g. ElastiCache): connect to the addresses CLUSTER SLOTS names as they are (ioredis' documented recipe)
    ...(auth.tls ? { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) } : {}),
  };
}

/** ioredis Sentinel options: ask the sentinels for the master, follow +switch-master, and reconnect on READONLY. */
export function sentinelOptions(target: Extract<RedisTarget, { mode: 'sentinel' }>, options: ClientRole = {}): RedisOptions {
  return {
    ...authOptions(target.auth),
    sentinels: target.sentinels,
    name: target.masterName,
    role: 'master',
    ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
    ...(target.auth.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
    // a command waits through this many reconnect attempts (~20 s at the capped delay) before failing
    maxRetriesPerRequest: options.forBullWorker ? null : FAILOVER_TUNING.sentinelRetriesPerRequest,
    blockingTimeout: FAILOVER_TUNING.blockingTimeoutMs,
    enableReadyCheck: true,
    enableOfflineQueue: true,
    lazyConnect: options.lazyConnect ?? false,
    retryStrategy: reconnectDelay,
    sentinelRetryStrategy: reconnectDelay,
    // not `failoverDetector`: its reconnect on +switch-master raced a reconnect already under way and left BullMQ's
    // worker connection closed for good (seen in test/scale); a killed master is noticed by the dropped connection
    // the old master came back as a replica and refuses writes: reconnect (to the master Sentinel names) and resend
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
  };
}

/** Joins our key prefix (REDIS_PREFIX) and a key, so tests and tenants never see each other's keys. */
export function prefixedKey(prefix: string, key: string): string {
  return prefix ? `${prefix}:${key}` : key;
}

/**
 * The connection for a BullMQ Queue/Worker/QueueEvents: options (BullMQ makes and closes the client) for a single
 * server or Sentinel; for a cluster, a Cluster client of its own, which the owner closes with
 * `closeBullConnection` after closing the BullMQ object (BullMQ never closes a client it was given).
 * Workers need `maxRetriesPerRequest: null`: their blocking commands must wait out a reconnect.
 */
export function bullConnection(target: RedisTarget | string, options: { forBullWorker?: boolean } = {}): ConnectionOptions {
  const blocking = { blockingTimeout: FAILOVER_TUNING.blockingTimeoutMs };
  if (typeof target === 'string') return { url: target, maxRetriesPerRequest: options.forBullWorker ? null : 3, ...blocking };
  if (target.mode === 'cluster') return new Cluster(target.nodes, clusterOptions(target.auth, options)).on('error', () => undefined);
  // ioredis' option types are stricter than BullMQ's copy of them (retryStrategy's return type); the values are ioredis'
  if (target.mode === 'sentinel') return sentinelOptions(target, options) as ConnectionOptions;
  return { url: target.url, ...authOptions(target.auth), maxRetriesPerRequest: options.forBullWorker ? null : 3, ...blocking } as ConnectionOptions;
}

/** Closes a connection made by `bullConnection` when it is a client (cluster mode); options need nothing. */
export async function closeBullConnection(connection: ConnectionOptions): Promise<void> {
  if (connection instanceof Cluster) await connection.quit().catch(() => connection.disconnect());
}
