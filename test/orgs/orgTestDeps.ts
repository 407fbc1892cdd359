import { createRedis, type Redis } from '../../src/adapters/redis/connect.js';
import { unpackSnowflakeId } from '../../src/domain/snowflake.js';
import type { OrgDeps } from '../../src/orgs/deps.js';
import { createTestDatabase, TEST_REDIS_URL, testRedisPrefix, type TestDatabase } from '../support/database.js';

export const TEST_REGION_ID = 7;
// The production default epoch: ids made now must land in [2^52, 2^53).
export const TEST_EPOCH_SECONDS = Date.parse('2022-08-08T00:00:00Z') / 1000;

export interface OrgTestContext {
  deps: OrgDeps;
  database: TestDatabase;
  redis: Redis;
  close(): Promise<void>;
}

/** A database, a Redis client and a key prefix of this test file's own, wired as the use cases want them. */
export async function createOrgTestContext(): Promise<OrgTestContext> {
  const database = await createTestDatabase();
  const redis = createRedis(TEST_REDIS_URL);
  const redisPrefix = testRedisPrefix();
  const deps: OrgDeps = {
    db: database.db,
    redis,
    redisPrefix,
    snowflake: { epochSeconds: TEST_EPOCH_SECONDS, regionId: TEST_REGION_ID },
  };
  return {
    deps,
    database,
    redis,
    async close() {
      const keys = await redis.keys(`${redisPrefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await database.drop();
    },
  };
}

/** Asserts that `id` is a version-1 snowflake of the test region. */
export function expectSnowflakeOfTestRegion(id: string): void {
  const value = BigInt(id);
  expect(value >= 2n ** 52n && value < 2n ** 53n).toBe(true);
  const parts = unpackSnowflakeId(value);
  expect(parts.versionId).toBe(1);
  expect(parts.regionId).toBe(TEST_REGION_ID);
  // The time segment is "now", give or take the 300 s lookback.
  const nowSeconds = Math.floor(Date.now() / 1000) - TEST_EPOCH_SECONDS;
  expect(parts.timeDiff).toBeLessThanOrEqual(nowSeconds);
  expect(parts.timeDiff).toBeGreaterThan(nowSeconds - 310);
}
