import { findOrganizationById, findOrganizationBySlug } from '../../src/adapters/db/organizations.js';
import { isAppError } from '../../src/domain/errors.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { createOrgTestContext, expectSnowflakeOfTestRegion, type OrgTestContext } from './orgTestDeps.js';

let ctx: OrgTestContext;

beforeAll(async () => {
  ctx = await createOrgTestContext();
});

afterAll(async () => {
  await ctx.close();
});

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err);

describe('createOrganization', () => {
  it('generates the slug from the name and a snowflake id', async () => {
    const org = await createOrganization(ctx.deps, { name: '  Acme Widgets, Inc.  ' });
    expect(org.slug).toBe('acme-widgets-inc');
    expect(org.name).toBe('Acme Widgets, Inc.');
    expectSnowflakeOfTestRegion(org.id);
    expect(await findOrganizationById(ctx.database.db, org.id)).toEqual(org);
    expect(await findOrganizationBySlug(ctx.database.db, 'acme-widgets-inc')).toEqual(org);
  });

  it('keeps an explicit slug', async () => {
    const org = await createOrganization(ctx.deps, { name: 'Whatever', slug: 'chosen-slug' });
    expect(org.slug).toBe('chosen-slug');
  });

  it('gives a generated slug that collides a random suffix', async () => {
    const first = await createOrganization(ctx.deps, { name: 'Collide' });
    const second = await createOrganization(ctx.deps, { name: 'collide' });
    expect(first.slug).toBe('collide');
    expect(second.slug).toMatch(/^collide-[a-z0-79]{2}$/);
    expect(second.id).not.toBe(first.id);
  });

  it('refuses an explicit slug that is taken, with a clear conflict', async () => {
    await createOrganization(ctx.deps, { name: 'Owner', slug: 'taken' });
    const err = await failure(createOrganization(ctx.deps, { name: 'Latecomer', slug: 'taken' }));
    expect(isAppError(err, 'conflict')).toBe(true);
    expect((err as Error).message).toBe('organization slug "taken" is already taken');
    const rows = await ctx.database.db.selectFrom('organization').select('name').where('slug', '=', 'taken').execute();
    expect(rows).toEqual([{ name: 'Owner' }]);
  });

  it('refuses invalid explicit slugs and blank names', async () => {
    for (const slug of ['Upper', '1234', 'has space', 'x'.repeat(51)]) {
      expect(isAppError(await failure(createOrganization(ctx.deps, { name: 'n', slug })), 'validation_failed')).toBe(
        true,
      );
    }
    const blank = await failure(createOrganization(ctx.deps, { name: '   ' }));
    expect(isAppError(blank, 'validation_failed')).toBe(true);
    expect((blank as { details: unknown }).details).toEqual({ name: ['This field may not be blank.'] });
  });

  it('falls back to 12 hex characters when the name has nothing to slug', async () => {
    const org = await createOrganization(ctx.deps, { name: '日本語' });
    const [hex, suffix, ...rest] = org.slug.split('-');
    expect(hex).toMatch(/^[0-9a-f]{12}$/);
    expect(rest).toEqual([]);
    // An all-digit draw (about 1 in 280) would read as an id, so it is suffixed like any all-digit base.
    if (/^[0-9]+$/.test(hex!)) expect(suffix).toMatch(/^[a-z0-9]{2}$/);
    else expect(suffix).toBeUndefined();
  });

  it('concurrent creators with one name all get distinct slugs', async () => {
    const orgs = await Promise.all(Array.from({ length: 8 }, () => createOrganization(ctx.deps, { name: 'Race' })));
    expect(new Set(orgs.map((o) => o.slug)).size).toBe(8);
    expect(new Set(orgs.map((o) => o.id)).size).toBe(8);
    expect(orgs.map((o) => o.slug)).toContain('race');
  });
});
