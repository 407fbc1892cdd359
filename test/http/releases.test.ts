import { sql } from 'kysely';
import { asDashboardDb } from '../../src/adapters/db/dashboardSchema.js';
import { createApiToken } from '../../src/auth/apiTokens.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { createProject } from '../../src/orgs/createProject.js';
import { authorCacheKey } from '../../src/releases/getUsersForAuthors.js';
import { releaseFileIdent } from '../../src/domain/releaseFileIdent.js';
import { ApiHarness } from './apiHarness.js';

type Json = Record<string, any>;

// The releases API through the real HTTP app, Postgres and Redis: create (201/208), list, details, update and
// finalize, delete, inline commits with authors mapped to users, refs, deploys, repos, scoping and errors.
describe('releases API', () => {
  let api: ApiHarness;
  const org = '/api/0/organizations/acme';
  const web = '/api/0/projects/acme/web';

  beforeAll(async () => {
    api = await ApiHarness.create({ worker: false });
  });

  afterAll(async () => {
    await api.close();
  }, 30_000);

  const post = (url: string, payload: unknown) => api.inject({ method: 'POST', url, payload: payload as Json });
  const put = (url: string, payload: unknown) => api.inject({ method: 'PUT', url, payload: payload as Json });
  const get = (url: string) => api.inject({ method: 'GET', url });
  const v = (version: string) => encodeURIComponent(version);

  describe('create', () => {
    it('answers 201 for a new release and 208 with the same release when it already exists', async () => {
      const first = await post(`${web}/releases/`, { version: '1.0.0', projects: ['web'], dateStarted: '2026-11-22T03:17:41.681244840Z' });
      expect(first.statusCode).toBe(201);
      const body = first.json() as Json;
      expect(body).toMatchObject({
        version: '1.0.0',
        shortVersion: '1.0.0',
        status: 'open',
        ref: null,
        url: null,
        dateReleased: null,
        dateStarted: '2026-11-22T03:17:41.681000Z',
        newGroups: 0,
        commitCount: 0,
        lastCommit: null,
        deployCount: 0,
        lastDeploy: null,
        authors: [],
        owner: null,
        data: {},
        firstEvent: null,
        lastEvent: null,
        fileCount: 0,
        // without a package the parser does not parse the version, it only describes it
        versionInfo: { package: null, version: { raw: '1.0.0' }, description: '1.0.0', buildHash: null },
        projects: [{ id: Number(api.project.id), slug: 'web', name: 'Web', newGroups: 0, platform: null, platforms: [], hasHealthData: false }],
      });
      expect(body.versionInfo.version).toEqual({ raw: '1.0.0' });
      expect(Date.parse(body.dateCreated)).toBeGreaterThan(Date.now() - 60_000);

      const again = await post(`${web}/releases/`, { version: '1.0.0', projects: ['web'] });
      expect(again.statusCode).toBe(208);
      expect((again.json() as Json).id).toBe(body.id);
      const rows = await api.db.selectFrom('release').select('id').where('version', '=', '1.0.0').execute();
      expect(rows).toHaveLength(1);
    });

    it('links the projects an organisation-scoped create names, by slug or id', async () => {
      const api2 = await createProject(api.assembly.orgDeps(), { organizationSlug: 'acme', name: 'Api', slug: 'api' });
      const res = await post(`${org}/releases/`, { version: 'multi-1', projects: ['web', api2.id] });
      expect(res.statusCode).toBe(201);
      expect(((res.json() as Json).projects as Json[]).map((p) => p.slug).sort()).toEqual(['api', 'web']);
    });

    it('refuses unknown projects, bad versions and missing fields with Sentry-style field errors', async () => {
      const unknown = await post(`${org}/releases/`, { version: 'x-1', projects: ['web', 'nope'] });
      expect([unknown.statusCode, unknown.json()]).toEqual([400, { projects: ['Invalid project ids or slugs: nope'] }]);
      const latest = await post(`${org}/releases/`, { version: 'latest', projects: [] });
      expect([latest.statusCode, latest.json()]).toEqual([400, { version: ['Release with name latest is not allowed'] }]);
      const missing = await post(`${web}/releases/`, { projects: ['web'] });
      expect([missing.statusCode, missing.json()]).toEqual([400, { version: ['This field is required.'] }]);
      const badDate = await post(`${web}/releases/`, { version: 'd-1', dateReleased: 'yesterday' });
      expect(badDate.statusCode).toBe(400);
      expect(Object.keys(badDate.json() as Json)).toEqual(['dateReleased']);
      const notObject = await api.inject({ method: 'POST', url: `${web}/releases/`, payload: '[1]', headers: { 'content-type': 'application/json' } });
      expect(notObject.statusCode).toBe(400);
      expect(await api.db.selectFrom('release').select('id').where('version', 'in', ['x-1', 'latest', 'd-1']).execute()).toEqual([]);
    });

    it('states the real version length limit (200 code points) for any version longer than that', async () => {
      for (const length of [201, 251, 400]) {
        const long = await post(`${web}/releases/`, { version: 'x'.repeat(length) });
        expect([long.statusCode, long.json()]).toEqual([400, { version: ['Ensure this field has no more than 200 characters.'] }]);
      }
      // Sentry counts code points: 150 emoji are 300 UTF-16 units and still a valid version
      const emoji = await post(`${web}/releases/`, { version: '😀'.repeat(150) });
      expect(emoji.statusCode).toBe(201);
    });

    it('archives and restores through the organisation upsert (sentry-cli releases archive/restore)', async () => {
      await post(`${web}/releases/`, { version: 'arch-1' });
      const archived = await post(`${org}/releases/`, { version: 'arch-1', projects: [], status: 'archived' });
      expect([archived.statusCode, (archived.json() as Json).status]).toEqual([208, 'archived']);
      const openList = (await get(`${org}/releases/?query=arch-`)).json() as Json[];
      expect(openList.map((r) => r.version)).toEqual([]);
      const archivedList = (await get(`${org}/releases/?query=arch-&status=archived`)).json() as Json[];
      expect(archivedList.map((r) => r.version)).toEqual(['arch-1']);
      const restored = await post(`${org}/releases/`, { version: 'arch-1', projects: [], status: 'open' });
      expect((restored.json() as Json).status).toBe('open');
      const badStatus = await post(`${org}/releases/`, { version: 'arch-1', status: 'gone' });
      expect([badStatus.statusCode, badStatus.json()]).toEqual([400, { status: ['"gone" is not a valid choice.'] }]);
    });
  });

  describe('details, update and finalize', () => {
    it('finalizes with dateReleased and keeps every other field', async () => {
      await post(`${web}/releases/`, { version: '2.0.0', ref: 'main', url: 'https://example.com/r/2' });
      const res = await put(`${web}/releases/2.0.0/`, { projects: ['web'], dateReleased: '2026-11-22T03:17:46.863092122Z' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ version: '2.0.0', ref: 'main', url: 'https://example.com/r/2', dateReleased: '2026-11-22T03:17:46.863000Z' });
      const details = (await get(`${org}/releases/2.0.0/`)).json() as Json;
      expect(details.dateReleased).toBe('2026-11-22T03:17:46.863000Z');
      const cleared = (await put(`${org}/releases/2.0.0/`, { ref: null, status: 'archived' })).json() as Json;
      expect([cleared.ref, cleared.url, cleared.status]).toEqual([null, 'https://example.com/r/2', 'archived']);
    });

    it('serves versions with + and @ through URL encoding, with their parsed versionInfo', async () => {
      const version = 'pkg@1.0a+20200101100';
      expect((await post(`${web}/releases/`, { version })).statusCode).toBe(201);
      const res = await get(`${web}/releases/${v(version)}/`);
      expect(res.statusCode).toBe(200);
      expect((res.json() as Json).versionInfo).toEqual({
        package: 'pkg',
        version: { raw: '1.0a+20200101100', major: 1, minor: 0, patch: 0, pre: 'a', buildCode: '20200101100', components: 2 },
        description: '1.0a (20200101100)',
        buildHash: null,
      });
    });

    it('answers 404 with a detail for a missing release, on every verb', async () => {
      for (const res of [await get(`${web}/releases/9.9.9/`), await put(`${web}/releases/9.9.9/`, { dateReleased: null }), await api.inject({ method: 'DELETE', url: `${org}/releases/9.9.9/` }), await post(`${org}/releases/9.9.9/deploys/`, { environment: 'prod' })]) {
        expect([res.statusCode, res.json()]).toEqual([404, { detail: 'The requested resource does not exist' }]);
      }
    });

    it('hides a release from the project routes of a project it is not linked to', async () => {
      await createProject(api.assembly.orgDeps(), { organizationSlug: 'acme', name: 'Other', slug: 'other' });
      await post(`${org}/releases/`, { version: 'other-only', projects: ['other'] });
      expect((await get(`${web}/releases/other-only/`)).statusCode).toBe(404);
      expect((await get(`/api/0/projects/acme/other/releases/other-only/`)).statusCode).toBe(200);
      const webList = (await get(`${web}/releases/?query=other-`)).json() as Json[];
      expect(webList).toEqual([]);
    });

    it('answers 404 for an unknown project and for a token of another organisation', async () => {
      expect((await get('/api/0/projects/acme/nope/releases/')).statusCode).toBe(404);
      await createOrganization(api.assembly.orgDeps(), { name: 'Globex', slug: 'globex' });
      const { token } = await createApiToken(api.db, { organizationSlug: 'globex', name: 'other' });
      const res = await api.inject({ method: 'GET', url: `${org}/releases/1.0.0/`, headers: { authorization: `Bearer ${token}` } });
      expect([res.statusCode, res.json()]).toEqual([404, { detail: 'The requested resource does not exist' }]);
      const create = await api.inject({ method: 'POST', url: `${web}/releases/`, payload: { version: 'stolen' }, headers: { authorization: `Bearer ${token}` } });
      expect(create.statusCode).toBe(404);
    });
  });

  describe('list', () => {
    it('lists newest first, filters by version prefix, and pages with Sentry Link cursors', async () => {
      for (const n of [1, 2, 3, 4, 5]) expect((await post(`${web}/releases/`, { version: `page-${n}` })).statusCode).toBe(201);
      const all = (await get(`${web}/releases/?query=PAGE-`)).json() as Json[];
      expect(all.map((r) => r.version)).toEqual(['page-5', 'page-4', 'page-3', 'page-2', 'page-1']);

      const first = await get(`${org}/releases/?query=page-&per_page=2`);
      expect((first.json() as Json[]).map((r) => r.version)).toEqual(['page-5', 'page-4']);
      const link = String(first.headers.link);
      expect(link).toContain('rel="previous"; results="false"; cursor="0:0:1"');
      expect(link).toContain('rel="next"; results="true"; cursor="0:2:0"');
      const next = /<([^>]+)>; rel="next"/.exec(link)?.[1] as string;
      expect(next).toContain('query=page-');
      const second = await get(next.replace(/^https?:\/\/[^/]+/, ''));
      expect((second.json() as Json[]).map((r) => r.version)).toEqual(['page-3', 'page-2']);
      const last = await get(`${org}/releases/?query=page-&per_page=2&cursor=0:4:0`);
      expect((last.json() as Json[]).map((r) => r.version)).toEqual(['page-1']);
      expect(String(last.headers.link)).toContain('rel="next"; results="false"');
    });

    it('project list: hides archived releases unless status=archived, and matches the query anywhere in the version', async () => {
      for (const version of ['app@1.0.0', 'app@1.1.0', 'web@1.1.0']) expect((await post(`${web}/releases/`, { version })).statusCode).toBe(201);
      expect((await put(`${org}/releases/${v('app@1.0.0')}/`, { status: 'archived' })).statusCode).toBe(200);
      const versions = async (url: string) => ((await get(url)).json() as Json[]).map((r) => r.version);
      expect(await versions(`${web}/releases/?query=1.1`)).toEqual(['web@1.1.0', 'app@1.1.0']);
      expect(await versions(`${web}/releases/?query=PP@1`)).toEqual(['app@1.1.0']);
      expect(await versions(`${web}/releases/?query=app@&status=archived`)).toEqual(['app@1.0.0']);
      expect(await versions(`${web}/releases/`)).not.toContain('app@1.0.0');
      // the organisation list keeps matching by prefix
      expect(await versions(`${org}/releases/?query=1.1`)).toEqual([]);
      expect(await versions(`${org}/releases/?query=app@`)).toEqual(['app@1.1.0']);
    });
  });

  describe('commits', () => {
    let alice: string;
    let bob: string;

    beforeAll(async () => {
      const db = asDashboardDb(api.db);
      const user = async (username: string, email: string, member: boolean) => {
        const row = await db.insertInto('app_user').values({ username, name: username, email }).returning('id').executeTakeFirstOrThrow();
        if (member) await db.insertInto('organization_member').values({ organization_id: api.organization.id, user_id: row.id }).execute();
        return row.id;
      };
      alice = await user('alice', 'Alice@Example.com', true);
      bob = await user('bob', 'bob@example.com', true);
      await db.insertInto('user_email').values({ user_id: bob, email: 'bob@work.example' }).execute();
      // Owns an author's email but is not a member: must not be shown.
      await user('mallory', 'carol@example.com', false);
    });

    const commits = [
      { id: 'c3'.padEnd(40, '3'), repository: 'acme/shop', message: 'Third\n\nbody', author_name: 'Alice', author_email: 'alice@example.com', timestamp: '2026-11-20T10:00:00Z' },
      { id: 'c2'.padEnd(40, '2'), repository: 'acme/shop', message: 'Second', author_name: 'Bob', author_email: 'bob@work.example' },
      { id: 'c1'.padEnd(40, '1'), repository: 'acme/shop', message: 'First', author_name: 'Bob', author_email: 'bob@example.com' },
      { id: 'c0'.padEnd(40, '0'), repository: 'acme/shop', message: 'Zeroth', author_name: 'Carol', author_email: 'carol@example.com' },
      { id: 'lib1', message: 'no repository, no author' },
    ];

    it('sets inline commits: count, last commit, authors mapped to members by email and de-duplicated', async () => {
      await post(`${web}/releases/`, { version: '3.0.0' });
      const res = await put(`${org}/releases/3.0.0/`, { commits });
      expect(res.statusCode).toBe(200);
      const body = res.json() as Json;
      expect(body.commitCount).toBe(5);
      expect(body.lastCommit).toMatchObject({
        id: commits[0]?.id,
        message: 'Third\n\nbody',
        dateCreated: '2026-11-20T10:00:00.000000Z',
        repository: { name: 'acme/shop', provider: { id: 'unknown', name: 'Unknown Provider' }, status: 'active' },
        author: { id: alice, username: 'alice', email: 'Alice@Example.com' },
      });
      expect(body.authors).toEqual([
        expect.objectContaining({ id: alice, email: 'Alice@Example.com' }),
        // bob's two emails (secondary, then primary) are one author
        expect.objectContaining({ id: bob, email: 'bob@example.com' }),
        // a non-member owning the email is not a match
        { name: 'Carol', email: 'carol@example.com' },
      ]);
      const ordered = await sql<{ key: string; order: number }>`
        SELECT c.key, rc."order" FROM release_commit rc JOIN commit c ON c.id = rc.commit_id
        JOIN release r ON r.id = rc.release_id WHERE r.version = '3.0.0' ORDER BY rc."order"`.execute(api.db);
      expect(ordered.rows.map((r) => r.key)).toEqual(commits.map((c) => c.id));
      const repos = (await get(`${org}/repos/`)).json() as Json[];
      expect(repos.map((r) => r.name).sort()).toEqual(['acme/shop', `organization-${api.organization.id}`]);
      expect(repos[0]).toMatchObject({ provider: { id: 'unknown', name: 'Unknown Provider' }, status: 'active' });
    });

    it('replaces the commits on a second PUT and reuses stored commits and authors', async () => {
      const res = await put(`${web}/releases/3.0.0/`, { commits: [commits[2], commits[1]] });
      const body = res.json() as Json;
      expect([body.commitCount, body.lastCommit.id]).toEqual([2, commits[2]?.id]);
      expect(body.authors).toEqual([expect.objectContaining({ id: bob })]);
      const count = async (table: 'commit' | 'commit_author' | 'release_commit') => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(api.db)).rows[0]?.n);
      expect([await count('commit'), await count('commit_author'), await count('release_commit')]).toEqual([5, 4, 2]);
    });

    it('lists a release’s commits at both scopes, in set-commits order, serialized with repository and author, paginated', async () => {
      for (const base of [org, web]) {
        const res = await get(`${base}/releases/3.0.0/commits/`);
        expect(res.statusCode).toBe(200);
        const listed = res.json() as Json[];
        expect(listed.map((c) => c.id)).toEqual([commits[2]?.id, commits[1]?.id]);
        expect(listed[0]).toEqual({
          id: commits[2]?.id,
          message: 'First',
          dateCreated: expect.any(String),
          pullRequest: null,
          suspectCommitType: '',
          repository: expect.objectContaining({ name: 'acme/shop', provider: { id: 'unknown', name: 'Unknown Provider' } }),
          author: expect.objectContaining({ id: bob }),
        });
      }
      const first = await get(`${org}/releases/3.0.0/commits/?per_page=1`);
      expect((first.json() as Json[]).map((c) => c.id)).toEqual([commits[2]?.id]);
      expect(String(first.headers.link)).toContain('rel="next"; results="true"; cursor="0:1:0"');
      const second = await get(`${org}/releases/3.0.0/commits/?per_page=1&cursor=0:1:0`);
      expect((second.json() as Json[]).map((c) => c.id)).toEqual([commits[1]?.id]);
      expect(String(second.headers.link)).toContain('rel="next"; results="false"');
      expect((await get(`${org}/releases/nope/commits/`)).statusCode).toBe(404);
      // another organisation's token reads no commits, at either scope
      await createOrganization(api.assembly.orgDeps(), { name: 'Initech', slug: 'initech' });
      const { token } = await createApiToken(api.db, { organizationSlug: 'initech', name: 'commits' });
      for (const base of [org, web]) {
        const res = await api.inject({ method: 'GET', url: `${base}/releases/3.0.0/commits/`, headers: { authorization: `Bearer ${token}` } });
        expect([res.statusCode, res.json()]).toEqual([404, { detail: 'The requested resource does not exist' }]);
      }
    });

    it('caches author resolution in Redis under the prefix, per organisation and email', async () => {
      const key = authorCacheKey(api.deps.redisPrefix, api.organization.id, 'bob@example.com');
      expect(key.startsWith(`${api.deps.redisPrefix}:get_users_for_authors:${api.organization.id}:`)).toBe(true);
      expect(JSON.parse((await api.deps.redis.get(key)) as string)).toMatchObject({ id: bob });
      const ttl = await api.deps.redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(300);

      // A cached answer wins until it expires: renaming the user shows only after the entry is gone.
      await asDashboardDb(api.db).updateTable('app_user').set({ name: 'Robert' }).where('id', '=', bob).execute();
      expect(((await get(`${org}/releases/3.0.0/`)).json() as Json).authors[0].name).toBe('bob');
      await api.deps.redis.del(key);
      expect(((await get(`${org}/releases/3.0.0/`)).json() as Json).authors[0].name).toBe('Robert');
    });

    it('records refs of known repositories as head commits only (no provider: the commits stay), and refuses unknown ones', async () => {
      await post(`${web}/releases/`, { version: '3.1.0' });
      const unknown = await put(`${org}/releases/3.1.0/`, { refs: [{ repository: 'nope/repo', commit: 'abc123', previousCommit: null }] });
      expect([unknown.statusCode, unknown.json()]).toEqual([400, { refs: ['Invalid repository names: nope/repo'] }]);
      const res = await put(`${org}/releases/3.1.0/`, { refs: [{ repository: 'ACME/shop', commit: 'abc123', previousCommit: 'fed987' }] });
      expect(res.statusCode).toBe(200);
      // as Sentry without a repository provider: nothing fetches the range, so the release has no commits
      expect(res.json()).toMatchObject({ commitCount: 0, lastCommit: null, authors: [] });
      expect((await get(`${org}/releases/3.1.0/commits/`)).json()).toEqual([]);
      const heads = await sql<{ key: string }>`
        SELECT c.key FROM release_head_commit h JOIN commit c ON c.id = h.commit_id JOIN release r ON r.id = h.release_id
        WHERE r.version = '3.1.0'`.execute(api.db);
      expect(heads.rows).toEqual([{ key: 'abc123' }]);
    });

    it('finds the previous release with commits (sentry-cli set-commits --local), or answers {}', async () => {
      await post(`${web}/releases/`, { version: '3.2.0' });
      const previous = await get(`${org}/releases/3.2.0/previous-with-commits/`);
      // 3.1.0 has only a (short) head ref, which must never be handed to the CLI as a commit to start from
      expect(previous.json()).toMatchObject({ version: '3.0.0', lastCommit: { id: commits[2]?.id } });
      const none = await get(`${org}/releases/1.0.0/previous-with-commits/`);
      expect([none.statusCode, none.json()]).toEqual([200, {}]);
    });

    it('serializes a release whose authors and last commit dangle', async () => {
      await post(`${web}/releases/`, { version: 'dangling' });
      await api.db.updateTable('release').set({ authors: ['9999999', 'not-an-id'], last_commit_id: '9999999', commit_count: 1 }).where('version', '=', 'dangling').execute();
      const body = (await get(`${web}/releases/dangling/`)).json() as Json;
      expect([body.authors, body.lastCommit, body.commitCount]).toEqual([[], null, 1]);
    });
  });

  describe('deploys', () => {
    it('creates deploys, lists them newest first, and counts them on the release', async () => {
      await post(`${web}/releases/`, { version: '4.0.0' });
      const first = await post(`${org}/releases/4.0.0/deploys/`, { environment: 'production', name: null, url: null, dateStarted: null, dateFinished: '2026-11-22T03:17:47.835228874Z' });
      expect(first.statusCode).toBe(201);
      expect(first.json()).toEqual({ id: expect.any(String), environment: 'production', name: null, url: null, dateStarted: null, dateFinished: '2026-11-22T03:17:47.835000Z' });
      const second = await post(`${org}/releases/4.0.0/deploys/`, { environment: 'staging', name: 'canary', url: 'https://ci.example/1', dateStarted: '2026-11-22T04:00:00Z' });
      expect(second.statusCode).toBe(201);
      const secondBody = second.json() as Json;
      expect(Date.parse(secondBody.dateFinished)).toBeGreaterThan(Date.now() - 60_000);

      const list = (await get(`${org}/releases/4.0.0/deploys/`)).json() as Json[];
      expect(list.map((d) => d.environment)).toEqual(['staging', 'production']);
      const release = (await get(`${web}/releases/4.0.0/`)).json() as Json;
      expect(release).toMatchObject({ deployCount: 2, lastDeploy: { id: secondBody.id, environment: 'staging', name: 'canary' } });
      const envs = await api.db.selectFrom('environment').select('name').orderBy('name').execute();
      expect(envs.map((e) => e.name)).toEqual(['production', 'staging']);
    });

    it('requires an environment', async () => {
      const res = await post(`${org}/releases/4.0.0/deploys/`, { name: 'x' });
      expect([res.statusCode, res.json()]).toEqual([400, { environment: ['This field is required.'] }]);
      const slash = await post(`${org}/releases/4.0.0/deploys/`, { environment: 'a/b' });
      expect([slash.statusCode, slash.json()]).toEqual([400, { environment: ['Invalid value for environment'] }]);
    });
  });

  describe('delete', () => {
    it('deletes the release with its files, links, commits links and deploys; 204, then 404', async () => {
      await post(`${web}/releases/`, { version: '5.0.0' });
      await put(`${org}/releases/5.0.0/`, { commits: [{ id: 'deadbeef', repository: 'acme/shop' }] });
      await post(`${org}/releases/5.0.0/deploys/`, { environment: 'production' });
      const release = await api.db.selectFrom('release').select('id').where('version', '=', '5.0.0').executeTakeFirstOrThrow();
      const file = await api.db.insertInto('file').values({ name: 'app.js', type: 'release.file' }).returning('id').executeTakeFirstOrThrow();
      await api.db
        .insertInto('release_file')
        .values({ organization_id: api.organization.id, release_id: release.id, file_id: file.id, ident: releaseFileIdent('~/app.js'), name: '~/app.js' })
        .execute();
      expect(((await get(`${web}/releases/5.0.0/`)).json() as Json).fileCount).toBe(1);

      const res = await api.inject({ method: 'DELETE', url: `${web}/releases/5.0.0/` });
      expect(res.statusCode).toBe(204);
      expect((await get(`${web}/releases/5.0.0/`)).statusCode).toBe(404);
      expect(await api.db.selectFrom('file').select('id').where('id', '=', file.id).execute()).toEqual([]);
      for (const table of ['release_file', 'release_project', 'release_commit', 'deploy'] as const) {
        expect(await api.db.selectFrom(table).select('id').where('release_id', '=', release.id).execute()).toEqual([]);
      }
      // the commit itself stays: other releases may point at it
      expect(await api.db.selectFrom('commit').select('key').where('key', '=', 'deadbeef').execute()).toEqual([{ key: 'deadbeef' }]);
    });
  });
});
