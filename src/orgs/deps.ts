import { randomInt } from 'node:crypto';
import type { Db } from '../adapters/db/connect.js';
import { isUniqueViolation } from '../adapters/db/uniqueViolation.js';
import type { Redis } from '../adapters/redis/connect.js';
import { nextSnowflakeId, saveWithSnowflakeId } from '../adapters/redis/snowflakeSequence.js';
import { AppError } from '../domain/errors.js';
import type { RandomString } from '../domain/slugify.js';
import type { Logger } from '../logging/logger.js';

/** What the organisation, project and release use cases need. `now` and `random` default to the real ones. */
export interface OrgDeps {
  db: Db;
  redis: Redis;
  redisPrefix: string;
  snowflake: { epochSeconds: number; regionId: number };
  now?: () => Date;
  random?: RandomString;
  logger?: Logger;
}

/** `size` characters from `alphabet`, from the CSPRNG (slugs are not secrets, but collisions should be rare). */
export const cryptoRandomString: RandomString = (size, alphabet) => {
  let out = '';
  for (let i = 0; i < size; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
};

/** How long a slug lock lives and how long to wait for it (Sentry: 5 s, TimedRetryPolicy(10)). */
export const SLUG_LOCK = { durationMs: 5_000, acquireTimeoutMs: 10_000 } as const;
/** Fresh slug choices after an insert lost its slug to a writer that did not take the lock. */
export const SLUG_PICK_ATTEMPTS = 3;

/** The slug an insert wanted is taken: a `conflict` the use cases can tell apart from an id clash. */
export class SlugTakenError extends AppError {
  constructor(message: string, cause: unknown) {
    super('conflict', message, { cause });
  }
}

/**
 * Inserts a row with a fresh snowflake id; a violation of `slugConstraint` becomes a SlugTakenError (so it is
 * not retried as an id clash), any other unique violation regenerates the id.
 */
export function insertWithSnowflakeId<T>(
  deps: OrgDeps,
  slugConstraint: string,
  slugTakenMessage: string,
  insert: (id: string) => Promise<T>,
): Promise<T> {
  const generate = () =>
    nextSnowflakeId(deps.redis, {
      epochSeconds: deps.snowflake.epochSeconds,
      regionId: deps.snowflake.regionId,
      keyPrefix: deps.redisPrefix,
      now: deps.now ?? (() => new Date()),
    });
  return saveWithSnowflakeId(generate, async (id) => {
    try {
      return await insert(id);
    } catch (err) {
      if (isUniqueViolation(err, slugConstraint)) throw new SlugTakenError(slugTakenMessage, err);
      throw err;
    }
  });
}

/** A `validation_failed` error whose details name the field, as the HTTP layer renders it (`{field: [msg]}`). */
export function fieldError(field: string, message: string): AppError {
  return new AppError('validation_failed', message, { details: { [field]: [message] } });
}

/** Runs `attempt` until it does not fail with SlugTakenError, at most SLUG_PICK_ATTEMPTS times. */
export async function retryOnSlugTaken<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof SlugTakenError) || i >= SLUG_PICK_ATTEMPTS) throw err;
    }
  }
}
