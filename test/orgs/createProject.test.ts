import { findProjectBySlug, findProjectsBySlugsOrIds, projectSlugExists } from '../../src/adapters/db/projects.js';
import { lockKey, withRedisLock } from '../../src/adapters/redis/lock.js';
import { isAppError } from '../../src/domain/errors.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { createProject, projectSlugLockKey, type CreateProjectInput } from '../../src/orgs/createProject.js';
import type { Organization } from '../../src/adapters/db/organizations.js';
import { createOrgTestContext, expectSnowflakeOfTestRegion, type OrgTestContext } from './orgTestDeps.js';

let ctx: OrgTestContext;
let org: Organization;

beforeAll(async () => {
  ctx = await createOrgTestContext();
  org = await createOrganization(ctx.deps, { name: 'Project Home', slug: 'project-home' });
});

afterAll(async () => {
  await ctx.close();
});

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err);
/** A project in the test organisation. */
const create = (input: Omit<CreateProjectInput, 'organizationSlug'>) =>
  createProject(ctx.deps, { organizationSlug: 'project-home', ...input });

describe('createProject', () => {
  it('creates a project with a generated slug and a snowflake id', async () => {
    const project = await create({ name: 'Web Frontend', platform: 'javascript' });
    expect(project).toMatchObject({
      organizationId: org.id,
      slug: 'web-frontend',
      name: 'Web Frontend',
      platform: 'javascript',
      status: 0,
    });
    expectSnowflakeOfTestRegion(project.id);
    expect(await findProjectBySlug(ctx.database.db, org.id, 'web-frontend')).toEqual(project);
  });

  it('gives a colliding generated slug a suffix (case-insensitively)', async () => {
    await create({ name: 'backend', slug: 'backend' });
    const second = await create({ name: 'BACKEND' });
    expect(second.slug).toMatch(/^backend-[a-z0-79]{2}$/);
  });

  it('gives a project named after a reserved slug 12 hex characters', async () => {
    const project = await create({ name: 'Settings' });
    expect(project.slug).toMatch(/^[0-9a-f]{12}$/);
    expect(project.name).toBe('Settings');
  });

  it('caps generated slugs at 50 characters', async () => {
    const project = await create({ name: `${'p'.repeat(49)} tail` });
    expect(project.slug).toBe('p'.repeat(49));
  });

  it('refuses an explicit slug that is reserved, invalid or taken', async () => {
    const reserved = await failure(create({ name: 'x', slug: 'settings' }));
    expect(isAppError(reserved, 'validation_failed')).toBe(true);
    const invalid = await failure(create({ name: 'x', slug: '42' }));
    expect(isAppError(invalid, 'validation_failed')).toBe(true);
    await create({ name: 'api', slug: 'api' });
    const taken = await failure(create({ name: 'api 2', slug: 'api' }));
    expect(isAppError(taken, 'conflict')).toBe(true);
    expect((taken as Error).message).toBe(
      'A project with the slug "api" already exists in organization "project-home".',
    );
  });

  it('the same slug is free in another organisation', async () => {
    await createOrganization(ctx.deps, { name: 'Other', slug: 'other-org' });
    const project = await createProject(ctx.deps, { organizationSlug: 'other-org', name: 'Web Frontend' });
    expect(project.slug).toBe('web-frontend');
  });

  it('refuses an unknown organisation', async () => {
    const err = await failure(createProject(ctx.deps, { organizationSlug: 'nope', name: 'x' }));
    expect(isAppError(err, 'not_found')).toBe(true);
    expect((err as Error).message).toBe('organization "nope" not found');
  });

  it('20 concurrent creators with one name all succeed with distinct slugs', async () => {
    const projects = await Promise.all(
      Array.from({ length: 20 }, () => create({ name: 'Crowded' })),
    );
    const slugs = projects.map((p) => p.slug);
    expect(new Set(slugs).size).toBe(20);
    expect(slugs).toContain('crowded');
    for (const slug of slugs) expect(slug).toMatch(/^crowded(-[a-z0-79]{2,12})?$/);
    expect(new Set(projects.map((p) => p.id)).size).toBe(20);
    for (const p of projects) expectSnowflakeOfTestRegion(p.id);
    expect(await ctx.redis.exists(lockKey(ctx.deps.redisPrefix, projectSlugLockKey(org.id)))).toBe(0);
  });

  it('waits for the organisation slug lock, and times out as lock_timeout if it never comes', async () => {
    const lockOptions = { durationMs: 20_000, acquireTimeoutMs: 1_000, keyPrefix: ctx.deps.redisPrefix };
    const outcome = await withRedisLock(ctx.redis, projectSlugLockKey(org.id), lockOptions, async () => {
      const started = Date.now();
      // Explicit slugs take no lock.
      const explicit = await create({ name: 'quick', slug: 'quick' });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(explicit.slug).toBe('quick');
      const waitStarted = Date.now();
      const err = await failure(create({ name: 'blocked' }));
      return { err, waited: Date.now() - waitStarted };
    });
    expect(isAppError(outcome.err, 'lock_timeout')).toBe(true);
    // Sentry's policy: keep trying for 10 s.
    expect(outcome.waited).toBeGreaterThan(9_000);
    expect(outcome.waited).toBeLessThan(11_000);
    expect(await projectSlugExists(ctx.database.db, org.id, 'blocked')).toBe(false);
  }, 30_000);
});

describe('project repositories', () => {
  it('findProjectsBySlugsOrIds matches ids for numeric refs, slugs otherwise, active projects only', async () => {
    const a = await create({ name: 'ref a', slug: 'ref-a' });
    const b = await create({ name: 'ref b', slug: 'ref-b' });
    const gone = await create({ name: 'ref c', slug: 'ref-c' });
    await ctx.database.db.updateTable('project').set({ status: 2 }).where('id', '=', gone.id).execute();
    const found = await findProjectsBySlugsOrIds(ctx.database.db, org.id, [
      a.id,
      'ref-b',
      'ref-c',
      gone.id,
      b.id,
      '99999999999999999999999',
      'missing',
    ]);
    expect(found.map((p) => p.slug).sort()).toEqual(['ref-a', 'ref-b']);
    expect(await findProjectsBySlugsOrIds(ctx.database.db, org.id, [])).toEqual([]);
    // A slug that happens to be another organisation's project is not found here.
    const other = await findProjectsBySlugsOrIds(ctx.database.db, org.id, ['web-frontend']);
    expect(other.every((p) => p.organizationId === org.id)).toBe(true);
  });

  it('projectSlugExists is case-insensitive', async () => {
    expect(await projectSlugExists(ctx.database.db, org.id, 'WEB-Frontend')).toBe(true);
    expect(await projectSlugExists(ctx.database.db, org.id, 'web-frontend-nope')).toBe(false);
  });
});
