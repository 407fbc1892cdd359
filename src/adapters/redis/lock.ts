import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../domain/errors.js';
import { silentLogger, type Logger } from '../../logging/logger.js';
import { prefixedKey, type Redis } from './connect.js';

export interface RedisLockOptions {
  /** How long the lock lives if its holder never releases it (a crash). Work must finish well within it. */
  durationMs: number;
  /** How long to keep retrying the acquisition before giving up with `lock_timeout`. */
  acquireTimeoutMs: number;
  keyPrefix: string;
  logger?: Logger;
}

// Only the holder may delete: a lock that expired and was taken by someone else must survive our release.
const COMPARE_AND_DELETE = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if current ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`;

/** Sentry's TimedRetryPolicy delay: 100 ms with +/- 50 ms uniform jitter, so waiters do not poll in step. */
const retryDelayMs = (): number => 100 + (Math.random() * 100 - 50);

/** The Redis key of a lock: Sentry's `l:<key>`, under our prefix. */
export function lockKey(keyPrefix: string, key: string): string {
  return prefixedKey(keyPrefix, `l:${key}`);
}

async function acquire(redis: Redis, redisKey: string, token: string, options: RedisLockOptions): Promise<void> {
  const started = performance.now();
  for (let attempt = 1; ; attempt += 1) {
    let reply: string | null;
    try {
      reply = await redis.set(redisKey, token, 'PX', options.durationMs, 'NX');
    } catch (err) {
      throw new AppError('redis_unavailable', `could not acquire lock "${redisKey}"`, { cause: err });
    }
    if (reply === 'OK') return;
    const delay = retryDelayMs();
    const elapsed = performance.now() - started;
    if (elapsed + delay > options.acquireTimeoutMs) {
      throw new AppError(
        'lock_timeout',
        `Could not acquire lock "${redisKey}" within ${Math.round(elapsed)} ms (${attempt} attempts)`,
      );
    }
    await sleep(delay);
  }
}

async function release(redis: Redis, redisKey: string, token: string, logger: Logger): Promise<void> {
  try {
    const outcome = Number(await redis.eval(COMPARE_AND_DELETE, 1, redisKey, token));
    if (outcome === -1) logger.warn({ lockKey: redisKey }, 'lock expired before it was released');
    if (outcome === 0) logger.warn({ lockKey: redisKey }, 'lock was taken over by another holder; not released');
  } catch (err) {
    // The lock expires by itself; failing the finished work over a release error would be worse.
    logger.warn({ err, lockKey: redisKey }, 'lock release failed');
  }
}

/**
 * Runs `fn` while holding a Redis lock (`SET l:<key> <token> PX <duration> NX`; reference D.2), retrying the
 * acquisition with jitter until `acquireTimeoutMs`, then `lock_timeout`. Each acquisition has its own token, so
 * only this holder can release it. The lock is released however `fn` ends.
 */
export async function withRedisLock<T>(
  redis: Redis,
  key: string,
  options: RedisLockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const redisKey = lockKey(options.keyPrefix, key);
  const token = randomUUID();
  await acquire(redis, redisKey, token, options);
  try {
    return await fn();
  } finally {
    await release(redis, redisKey, token, options.logger ?? silentLogger);
  }
}
