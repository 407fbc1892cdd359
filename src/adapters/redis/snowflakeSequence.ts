import { AppError, isAppError } from '../../domain/errors.js';
import {
  MAX_AVAILABLE_REGION_SEQUENCES,
  packSnowflakeId,
  secondsSinceSnowflakeEpoch,
  SNOWFLAKE_VERSION_ID,
} from '../../domain/snowflake.js';
import { isUniqueViolation } from '../db/uniqueViolation.js';
import { prefixedKey, type Redis } from './connect.js';

/** How far back (seconds) a busy second may borrow an unused sequence, and how long a counter lives. */
export const SNOWFLAKE_LOOKBACK_SECONDS = 300;
/** Attempts of `saveWithSnowflakeId` before giving up (Sentry's MAX_REDIS_SNOWFLAKE_RETRY_COUNTER). */
export const MAX_SNOWFLAKE_SAVE_ATTEMPTS = 5;

export interface SnowflakeSequenceOptions {
  /** The snowflake epoch, in Unix seconds. */
  epochSeconds: number;
  regionId: number;
  /** REDIS_PREFIX. With '' the counter key is Sentry's own: the bare decimal number of seconds since the epoch. */
  keyPrefix: string;
  now: () => Date;
}

// INCR and the first-use EXPIRE in one atomic step: Sentry sends them as two commands, so a process dying
// between them leaves a counter that never expires. Same observable behaviour otherwise.
const INCR_WITH_FIRST_USE_TTL = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`;

async function incrementSecondCounter(redis: Redis, key: string): Promise<number> {
  try {
    return Number(await redis.eval(INCR_WITH_FIRST_USE_TTL, 1, key, SNOWFLAKE_LOOKBACK_SECONDS));
  } catch (err) {
    throw new AppError('redis_unavailable', 'could not allocate a snowflake sequence', { cause: err });
  }
}

/**
 * Allocates a snowflake id (reference C.3): one Redis counter per second; a second whose 16 sequences are used up
 * hands over to the previous one, up to 300 s back, so ids stay unique under load though not strictly monotonic.
 * Returns the id as a decimal string.
 */
export async function nextSnowflakeId(redis: Redis, options: SnowflakeSequenceOptions): Promise<string> {
  const startingTime = secondsSinceSnowflakeEpoch(options.now(), options.epochSeconds);
  const timeRange = Math.min(startingTime, SNOWFLAKE_LOOKBACK_SECONDS);
  for (let i = 0; i < timeRange; i += 1) {
    const timeDiff = startingTime - i;
    const sequence = (await incrementSecondCounter(redis, prefixedKey(options.keyPrefix, String(timeDiff)))) - 1;
    if (sequence < MAX_AVAILABLE_REGION_SEQUENCES) {
      const id = packSnowflakeId({ versionId: SNOWFLAKE_VERSION_ID, timeDiff, regionId: options.regionId, sequence });
      return id.toString();
    }
  }
  throw new AppError('id_exhausted', 'No available ID');
}

/**
 * Inserts a row with a fresh snowflake id (reference C.4): a unique violation (an id taken by another region or a
 * clock step back) regenerates the id and tries again, up to 5 attempts. `insert` must be a single statement or
 * run its own transaction: a failed statement inside a caller's transaction would abort it. Callers that can also
 * hit other unique constraints (a slug) should translate those themselves, or they are retried like id clashes.
 */
export async function saveWithSnowflakeId<T>(
  generate: () => Promise<string>,
  insert: (id: string) => Promise<T>,
): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= MAX_SNOWFLAKE_SAVE_ATTEMPTS; attempt += 1) {
    const id = await generate();
    try {
      return await insert(id);
    } catch (err) {
      if (isAppError(err) || !isUniqueViolation(err)) throw err;
      lastError = err;
    }
  }
  throw new AppError('conflict', 'Max allowed ID retry reached. Please try again in a second', { cause: lastError });
}
