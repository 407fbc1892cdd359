import {
  findReleaseByVersion,
  getOrCreateDistribution,
  getOrCreateRelease,
  linkReleaseProjects,
  listReleaseProjectIds,
} from '../../src/adapters/db/releases.js';
import type { Organization } from '../../src/adapters/db/organizations.js';
import type { Project } from '../../src/adapters/db/projects.js';
import { isAppError } from '../../src/domain/errors.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { createProject } from '../../src/orgs/createProject.js';
import { createRelease } from '../../src/orgs/createRelease.js';
import { createOrgTestContext, type OrgTestContext } from './orgTestDeps.js';

let ctx: OrgTestContext;
let org: Organization;
let web: Project;
let api: Project;

beforeAll(async () => {
  ctx = await createOrgTestContext();
  org = await createOrganization(ctx.deps, { name: 'Releases', slug: 'rel-org' });
  web = await createProject(ctx.deps, { organizationSlug: 'rel-org', name: 'web' });
  api = await createProject(ctx.deps, { organizationSlug: 'rel-org', name: 'api' });
});

afterAll(async () => {
  await ctx.close();
});

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err);
/** A release of the test organisation. */
const release = (version: string, projectSlugs?: string[]) =>
  createRelease(ctx.deps, { organizationSlug: 'rel-org', version, projectSlugs });
const linkCount = async (releaseId: string) =>
  (await ctx.database.db.selectFrom('release_project').select('id').where('release_id', '=', releaseId).execute())
    .length;

describe('createRelease', () => {
  it('creates a release linked to its projects, and is idempotent', async () => {
    const first = await release('app@1.0.0', ['web', 'api']);
    expect(first.created).toBe(true);
    expect(first.release).toMatchObject({ organizationId: org.id, version: 'app@1.0.0', status: 0, data: {} });
    expect(first.projectIds).toEqual([web.id, api.id].sort());

    const second = await release('app@1.0.0', ['web', api.id]);
    expect(second.created).toBe(false);
    expect(second.release.id).toBe(first.release.id);
    expect(second.projectIds).toEqual(first.projectIds);
    expect(await linkCount(first.release.id)).toBe(2);
  });

  it('adds newly named projects to an existing release', async () => {
    const first = await release('grow', ['web']);
    const second = await release('grow', ['api']);
    expect(second.release.id).toBe(first.release.id);
    expect(second.projectIds).toEqual([web.id, api.id].sort());
  });

  it('concurrent creations of one version make one release with each project linked once', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        release('race@2', [i % 2 ? 'web' : 'api']),
      ),
    );
    expect(new Set(results.map((r) => r.release.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await linkCount(results[0]!.release.id)).toBe(2);
  });

  it.each([
    ['', 'This field may not be blank.'],
    ['a/b', 'Release with name a/b is not allowed'],
    ['latest', 'Release with name latest is not allowed'],
    ['..', 'Release with name .. is not allowed'],
    ['x'.repeat(201), 'Ensure this field has no more than 200 characters.'],
  ])('refuses version %j', async (version, message) => {
    const err = await failure(release(version));
    expect(isAppError(err, 'validation_failed')).toBe(true);
    expect((err as Error).message).toBe(message);
    expect(await findReleaseByVersion(ctx.database.db, org.id, version)).toBeUndefined();
  });

  it('refuses unknown projects and organisations without creating anything', async () => {
    const err = await failure(release('orphan', ['web', 'nope']));
    expect(isAppError(err, 'not_found')).toBe(true);
    expect((err as Error).message).toBe('project "nope" not found');
    expect(await findReleaseByVersion(ctx.database.db, org.id, 'orphan')).toBeUndefined();

    const noOrg = await failure(createRelease(ctx.deps, { organizationSlug: 'ghost', version: '1' }));
    expect(isAppError(noOrg, 'not_found')).toBe(true);
    expect((noOrg as Error).message).toBe('organization "ghost" not found');
  });

  it('fills the semver columns of a version that parses, and leaves them null otherwise', async () => {
    const semver = (await release('pkg@1.2.3-rc.1+77')).release;
    expect(semver).toMatchObject({ package: 'pkg', major: '1', minor: '2', patch: '3', revision: '0' });
    expect(semver).toMatchObject({ prerelease: 'rc.1', buildCode: '77', buildNumber: '77' });
    const plain = (await release('not a version')).release;
    expect([plain.package, plain.major, plain.prerelease, plain.buildNumber]).toEqual([null, null, null, null]);
  });

  it('accepts a release with no projects', async () => {
    const result = await release('bare');
    expect(result.created).toBe(true);
    expect(result.projectIds).toEqual([]);
  });
});

describe('release repositories', () => {
  it('getOrCreateRelease keeps the first creator fields and linkReleaseProjects counts new links', async () => {
    const db = ctx.database.db;
    const organizationId = org.id;
    const made = await getOrCreateRelease(db, { organizationId, version: 'repo@1', ref: 'abc', data: { k: 1 } });
    const again = await getOrCreateRelease(db, { organizationId, version: 'repo@1', ref: 'other' });
    expect(made.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.release).toEqual(made.release);
    expect(again.release.ref).toBe('abc');
    expect(again.release.data).toEqual({ k: 1 });
    expect(await linkReleaseProjects(ctx.database.db, made.release.id, [web.id, web.id, api.id])).toBe(2);
    expect(await linkReleaseProjects(ctx.database.db, made.release.id, [web.id])).toBe(0);
    expect(await listReleaseProjectIds(ctx.database.db, made.release.id)).toEqual([web.id, api.id].sort());
  });

  it('getOrCreateDistribution under concurrency returns one row', async () => {
    const db = ctx.database.db;
    const { release: rel } = await getOrCreateRelease(db, { organizationId: org.id, version: 'dist@1' });
    const dist = (name: string) => getOrCreateDistribution(db, { organizationId: org.id, releaseId: rel.id, name });
    const dists = await Promise.all(Array.from({ length: 12 }, () => dist('android')));
    expect(new Set(dists.map((d) => d.id)).size).toBe(1);
    expect(dists[0]!.name).toBe('android');
    const rows = await db.selectFrom('distribution').select('id').where('release_id', '=', rel.id).execute();
    expect(rows).toHaveLength(1);
    const other = await dist('ios');
    expect(other.id).not.toBe(dists[0]!.id);
    expect((await dist('ios')).id).toBe(other.id);
  });
});
