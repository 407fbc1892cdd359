import { findOrganizationBySlug, type Organization } from '../adapters/db/organizations.js';
import { insertProject, PROJECT_SLUG_CONSTRAINT, projectSlugExists, type Project } from '../adapters/db/projects.js';
import { withRedisLock } from '../adapters/redis/lock.js';
import { AppError } from '../domain/errors.js';
import {
  GENERATED_SLUG_MAX_LENGTH,
  pickFreeSlug,
  RESERVED_PROJECT_SLUGS,
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

export const PROJECT_NAME_MAX_LENGTH = 200;
export const PROJECT_SLUG_MAX_LENGTH = 100;
export const PROJECT_PLATFORM_MAX_LENGTH = 64;

export interface CreateProjectInput {
  organizationSlug: string;
  name: string;
  /** Chosen by the caller; generated from the name when absent. */
  slug?: string;
  platform?: string | null;
}

/** Sentry's lock: slugs are unique per organisation, so creators in different organisations do not wait. */
export function projectSlugLockKey(organizationId: string): string {
  return `slug:project:${organizationId}`;
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw fieldError('name', 'This field may not be blank.');
  if (trimmed.length > PROJECT_NAME_MAX_LENGTH) {
    throw fieldError('name', `Ensure this field has no more than ${PROJECT_NAME_MAX_LENGTH} characters.`);
  }
  return trimmed;
}

function validateInput(input: CreateProjectInput): void {
  if (input.platform && input.platform.length > PROJECT_PLATFORM_MAX_LENGTH) {
    throw fieldError('platform', `Ensure this field has no more than ${PROJECT_PLATFORM_MAX_LENGTH} characters.`);
  }
  if (input.slug === undefined) return;
  const problem = slugProblem(input.slug, PROJECT_SLUG_MAX_LENGTH);
  if (problem) throw fieldError('slug', problem);
  if (RESERVED_PROJECT_SLUGS.has(input.slug)) throw fieldError('slug', `The slug "${input.slug}" is reserved.`);
}

const slugTakenMessage = (org: Organization, slug: string) =>
  `A project with the slug "${slug}" already exists in organization "${org.slug}".`;

function insertWithSlug(deps: OrgDeps, org: Organization, input: CreateProjectInput, name: string, slug: string) {
  return insertWithSnowflakeId(deps, PROJECT_SLUG_CONSTRAINT, slugTakenMessage(org, slug), (id) =>
    insertProject(deps.db, { id, organizationId: org.id, slug, name, platform: input.platform ?? null }),
  );
}

/**
 * Chooses the slug and inserts the row under the organisation's slug lock. Sentry releases the lock before the
 * insert, so two creators can pick the same slug; holding it through the insert closes that race.
 */
function insertWithGeneratedSlug(deps: OrgDeps, org: Organization, input: CreateProjectInput, name: string) {
  const lockOptions = { ...SLUG_LOCK, keyPrefix: deps.redisPrefix, logger: deps.logger };
  return withRedisLock(deps.redis, projectSlugLockKey(org.id), lockOptions, () =>
    retryOnSlugTaken(async () => {
      const base = slugifyLabel(name, GENERATED_SLUG_MAX_LENGTH);
      const random = deps.random ?? cryptoRandomString;
      const candidates = slugCandidates(base, GENERATED_SLUG_MAX_LENGTH, random, RESERVED_PROJECT_SLUGS);
      const slug = await pickFreeSlug(candidates, (s) => projectSlugExists(deps.db, org.id, s));
      return insertWithSlug(deps, org, input, name, slug);
    }),
  );
}

/** Creates a project in an organisation, with a snowflake id and an explicit or generated slug. */
export async function createProject(deps: OrgDeps, input: CreateProjectInput): Promise<Project> {
  const name = validName(input.name);
  validateInput(input);
  const org = await findOrganizationBySlug(deps.db, input.organizationSlug);
  if (!org) throw new AppError('not_found', `organization "${input.organizationSlug}" not found`);
  if (input.slug === undefined) return insertWithGeneratedSlug(deps, org, input, name);
  // Generated slugs are compared case-insensitively; an explicit one must not differ from those only by case.
  if (await projectSlugExists(deps.db, org.id, input.slug)) {
    throw new AppError('conflict', slugTakenMessage(org, input.slug));
  }
  return insertWithSlug(deps, org, input, name, input.slug);
}
