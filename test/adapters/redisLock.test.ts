import { setTimeout as sleep } from 'node:timers/promises';
import { createRedis, type Redis } from '../../src/adapters/redis/connect.js';
import { lockKey, withRedisLock } from '../../src/adapters/redis/lock.js';
import { isAppError } from '../../src/domain/errors.js';
import { createLogger } from '../../src/logging/logger.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../support/database.js';

let redis: Redis;
const keyPrefix = testRedisPrefix();
const options = { durationMs: 5_000, acquireTimeoutMs: 5_000, keyPrefix };

beforeAll(() => {
  redis = createRedis(TEST_REDIS_URL);
});

afterAll(async () => {
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function capturingLogger() {
  const lines: Array<{ msg: string; lockKey?: string }> = [];
  const logger = createLogger('warn', { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('withRedisLock', () => {
  it('serialises concurrent holders of the same key', async () => {
    const intervals: Array<[number, number]> = [];
    const hold = () =>
      withRedisLock(redis, 'serialise', options, async () => {
        const start = performance.now();
        await sleep(60);
        intervals.push([start, performance.now()]);
      });
    await Promise.all([hold(), hold(), hold()]);
    intervals.sort((a, b) => a[0] - b[0]);
    expect(intervals).toHaveLength(3);
    for (let i = 1; i < intervals.length; i += 1) {
      expect(intervals[i]![0]).toBeGreaterThanOrEqual(intervals[i - 1]![1]);
    }
    expect(await redis.exists(lockKey(keyPrefix, 'serialise'))).toBe(0);
  });

  it('does not serialise different keys', async () => {
    let inside = 0;
    let maxInside = 0;
    const hold = (key: string) =>
      withRedisLock(redis, key, options, async () => {
        inside += 1;
        maxInside = Math.max(maxInside, inside);
        await sleep(50);
        inside -= 1;
      });
    await Promise.all([hold('k1'), hold('k2')]);
    expect(maxInside).toBe(2);
  });

  it('stores the lock as l:<key> under the prefix with the duration as TTL', async () => {
    await withRedisLock(redis, 'slug:project:42', { ...options, durationMs: 3_000 }, async () => {
      const key = `${keyPrefix}:l:slug:project:42`;
      expect(await redis.exists(key)).toBe(1);
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(2_000);
      expect(ttl).toBeLessThanOrEqual(3_000);
    });
  });

  it('releases the lock when the work throws', async () => {
    const outcome = await withRedisLock(redis, 'throws', options, async () => {
      throw new Error('boom');
    }).catch((err: unknown) => err);
    expect((outcome as Error).message).toBe('boom');
    expect(await redis.exists(lockKey(keyPrefix, 'throws'))).toBe(0);
  });

  it('an expired holder does not release the lock its successor now holds', async () => {
    const { logger, lines } = capturingLogger();
    const redisKey = lockKey(keyPrefix, 'takeover');
    let firstDone!: () => void;
    const firstFinished = new Promise<void>((resolve) => (firstDone = resolve));
    let valueAfterFirstRelease: string | null = null;

    const first = withRedisLock(redis, 'takeover', { ...options, durationMs: 150, logger }, async () => {
      await sleep(400); // outlives its 150 ms lock
    }).then(firstDone);
    await sleep(20);
    const second = withRedisLock(redis, 'takeover', options, async () => {
      const mine = await redis.get(redisKey);
      await firstFinished;
      valueAfterFirstRelease = await redis.get(redisKey);
      expect(valueAfterFirstRelease).toBe(mine);
    });
    await Promise.all([first, second]);
    expect(valueAfterFirstRelease).not.toBeNull();
    expect(lines.map((l) => l.msg)).toContain('lock was taken over by another holder; not released');
    expect(await redis.exists(redisKey)).toBe(0);
  });

  it('gives up with lock_timeout after acquireTimeoutMs', async () => {
    await withRedisLock(redis, 'busy', options, async () => {
      const started = performance.now();
      const impatient = { ...options, acquireTimeoutMs: 300 };
      const outcome = await withRedisLock(redis, 'busy', impatient, async () => 'ran').catch((err: unknown) => err);
      const waited = performance.now() - started;
      expect(isAppError(outcome, 'lock_timeout')).toBe(true);
      expect((outcome as Error).message).toMatch(/^Could not acquire lock ".*:l:busy" within \d+ ms \(\d+ attempts\)$/);
      expect(waited).toBeGreaterThanOrEqual(150);
      expect(waited).toBeLessThan(1_000);
    });
  });
});
