import type { Db } from '../adapters/db/connect.js';
import type { Redis } from '../adapters/redis/connect.js';

/** What the releases API use cases need. */
export interface ReleaseDeps {
  db: Db;
  redis: Redis;
  /** REDIS_PREFIX: the author cache lives under it */
  redisPrefix: string;
  /** how long a resolved commit author stays cached (Sentry: the cache's default, 300 s) */
  authorCacheTtlSeconds?: number;
}

/** A release in the scope of a request: the organisation, and the project for project-scoped routes. */
export interface ReleaseScope {
  organizationId: string;
  projectId?: string;
}
