import {
  insertOrganization,
  ORGANIZATION_SLUG_CONSTRAINT,
  organizationSlugExists,
  type Organization,
} from '../adapters/db/organizations.js';
import { withRedisLock } from '../adapters/redis/lock.js';
import {
  GENERATED_SLUG_MAX_LENGTH,
  pickFreeSlug,
  slugCandidates,
  slugifyLabel,
  slugProblem,
} from '../domain/slugify.js';
import {
  cryptoRandomString,
  fieldError,
  insertWithSnowflakeId,
  type OrgDeps,
  retryOnSlugTaken,
  SLUG_LOCK,
} from './deps.js';

export const ORGANIZATION_NAME_MAX_LENGTH = 64;
export const ORGANIZATION_SLUG_MAX_LENGTH = 50;
/** Organisation slugs are global, so one lock serialises every generated organisation slug. */
export const ORGANIZATION_SLUG_LOCK_KEY = 'slug:organization';

export interface CreateOrganizationInput {
  name: string;
  /** Chosen by the caller; generated from the name when absent. */
  slug?: string;
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw fieldError('name', 'This field may not be blank.');
  if (trimmed.length > ORGANIZATION_NAME_MAX_LENGTH) {
    throw fieldError('name', `Ensure this field has no more than ${ORGANIZATION_NAME_MAX_LENGTH} characters.`);
  }
  return trimmed;
}

function insertWithSlug(deps: OrgDeps, name: string, slug: string): Promise<Organization> {
  const message = `organization slug "${slug}" is already taken`;
  return insertWithSnowflakeId(deps, ORGANIZATION_SLUG_CONSTRAINT, message, (id) =>
    insertOrganization(deps.db, { id, name, slug }),
  );
}

/** The slug is chosen and the row inserted under one lock, so concurrent creators never pick the same slug. */
function insertWithGeneratedSlug(deps: OrgDeps, name: string): Promise<Organization> {
  const lockOptions = { ...SLUG_LOCK, keyPrefix: deps.redisPrefix, logger: deps.logger };
  return withRedisLock(deps.redis, ORGANIZATION_SLUG_LOCK_KEY, lockOptions, () =>
    retryOnSlugTaken(async () => {
      const base = slugifyLabel(name, GENERATED_SLUG_MAX_LENGTH);
      const candidates = slugCandidates(base, GENERATED_SLUG_MAX_LENGTH, deps.random ?? cryptoRandomString);
      const slug = await pickFreeSlug(candidates, (s) => organizationSlugExists(deps.db, s));
      return insertWithSlug(deps, name, slug);
    }),
  );
}

/**
 * Creates an organisation with a snowflake id. An explicit slug must be valid and free (`conflict` otherwise);
 * without one, a free slug is generated from the name.
 */
export async function createOrganization(deps: OrgDeps, input: CreateOrganizationInput): Promise<Organization> {
  const name = validName(input.name);
  if (input.slug === undefined) return insertWithGeneratedSlug(deps, name);
  const problem = slugProblem(input.slug, ORGANIZATION_SLUG_MAX_LENGTH);
  if (problem) throw fieldError('slug', problem);
  return insertWithSlug(deps, name, input.slug);
}
