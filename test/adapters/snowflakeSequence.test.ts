import { createRedis, prefixedKey, type Redis } from '../../src/adapters/redis/connect.js';
import {
  MAX_SNOWFLAKE_SAVE_ATTEMPTS,
  nextSnowflakeId,
  saveWithSnowflakeId,
} from '../../src/adapters/redis/snowflakeSequence.js';
import { isAppError } from '../../src/domain/errors.js';
import { unpackSnowflakeId } from '../../src/domain/snowflake.js';
import { createTestDatabase, TEST_REDIS_URL, testRedisPrefix, type TestDatabase } from '../support/database.js';

// Reference C.5: epoch 1999-12-31, frozen now 2022-07-21 06:00 UTC.
const EPOCH_SECONDS = Date.UTC(1999, 11, 31) / 1000;
const FROZEN_NOW = new Date(Date.UTC(2022, 6, 21, 6, 0, 0));
const DELTA = 711_784_800;

let redis: Redis;
let database: TestDatabase;
let testIndex = 0;

beforeAll(async () => {
  redis = createRedis(TEST_REDIS_URL);
  database = await createTestDatabase();
});

afterAll(async () => {
  await redis.quit();
  await database.drop();
});

/** A key prefix of its own per test, so each test starts with fresh counters. */
function freshOptions(regionId = 0) {
  testIndex += 1;
  const keyPrefix = `${testRedisPrefix()}-${testIndex}`;
  return { epochSeconds: EPOCH_SECONDS, regionId, keyPrefix, now: () => FROZEN_NOW };
}

describe('nextSnowflakeId against Redis', () => {
  it('scenario 2: the first id of the frozen second, with a 300 s counter', async () => {
    const options = freshOptions();
    expect(await nextSnowflakeId(redis, options)).toBe('4550247156023296');
    const key = prefixedKey(options.keyPrefix, String(DELTA));
    expect(await redis.get(key)).toBe('1');
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
  });

  it('scenario 3: sixteen ids in one second are consecutive', async () => {
    const options = freshOptions();
    const ids: bigint[] = [];
    for (let i = 0; i < 16; i += 1) ids.push(BigInt(await nextSnowflakeId(redis, options)));
    expect(ids[0]).toBe((16n << 48n) + (BigInt(DELTA) << 16n));
    for (let i = 1; i < 16; i += 1) expect(ids[i]).toBe((ids[i - 1] as bigint) + 1n);
  });

  it('scenario 4: the 17th id borrows the previous second', async () => {
    const options = freshOptions();
    for (let i = 0; i < 16; i += 1) await nextSnowflakeId(redis, options);
    expect(BigInt(await nextSnowflakeId(redis, options))).toBe((16n << 48n) + (BigInt(DELTA - 1) << 16n));
  });

  it('concurrent callers never share an id', async () => {
    const options = freshOptions(3);
    const ids = await Promise.all(Array.from({ length: 40 }, () => nextSnowflakeId(redis, options)));
    expect(new Set(ids).size).toBe(40);
    for (const id of ids) expect(unpackSnowflakeId(BigInt(id)).regionId).toBe(3);
  });

  it('scenario 5: every second of the lookback window used up -> "No available ID"', async () => {
    const options = freshOptions();
    const pipeline = redis.pipeline();
    for (let i = 0; i < 300; i += 1) pipeline.set(prefixedKey(options.keyPrefix, String(DELTA - i)), 16, 'EX', 60);
    await pipeline.exec();
    const outcome = await nextSnowflakeId(redis, options).catch((err: unknown) => err);
    expect(isAppError(outcome, 'id_exhausted')).toBe(true);
    expect((outcome as Error).message).toBe('No available ID');
    // One second before the window is untouched: the search stops at 300 s.
    expect(await redis.exists(prefixedKey(options.keyPrefix, String(DELTA - 300)))).toBe(0);
  });
});

describe('saveWithSnowflakeId against Postgres', () => {
  const insertOrg = (id: string, slug: string) =>
    database.db.insertInto('organization').values({ id, name: slug, slug }).returning('id').executeTakeFirstOrThrow();

  it('regenerates the id after a unique violation', async () => {
    await insertOrg('4550247156023300', 'taken-id');
    const candidates = ['4550247156023300', '4550247156023301'];
    let generated = 0;
    const row = await saveWithSnowflakeId(
      async () => candidates[generated++] as string,
      (id) => insertOrg(id, 'second-org'),
    );
    expect(row.id).toBe('4550247156023301');
    expect(generated).toBe(2);
  });

  it('gives up after five clashes with a conflict', async () => {
    await insertOrg('4550247156023400', 'always-taken');
    let generated = 0;
    const outcome = await saveWithSnowflakeId(
      async () => {
        generated += 1;
        return '4550247156023400';
      },
      (id) => insertOrg(id, 'never-saved'),
    ).catch((err: unknown) => err);
    expect(isAppError(outcome, 'conflict')).toBe(true);
    expect((outcome as Error).message).toBe('Max allowed ID retry reached. Please try again in a second');
    expect(generated).toBe(MAX_SNOWFLAKE_SAVE_ATTEMPTS);
  });

  it('does not retry other failures', async () => {
    let generated = 0;
    const outcome = await saveWithSnowflakeId(
      async () => {
        generated += 1;
        return 'not-a-number';
      },
      (id) => insertOrg(id, 'bad-id'),
    ).catch((err: unknown) => err);
    expect(isAppError(outcome)).toBe(false);
    expect(generated).toBe(1);
  });
});
