import unzipper from 'unzipper';
import { createApiToken } from '../../src/auth/apiTokens.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { createProject } from '../../src/orgs/createProject.js';
import type { LookupMatchJson as Match } from '../../src/http/artifactBundles/lookupRoutes.js';
import { ApiHarness } from '../http/apiHarness.js';
import { sha1, type BundleFile } from '../support/bundles.js';
import { FIXTURE, buildArtifactBundle, fixture } from './sysbBundles.js';
import { storeArtifactBundle as storeArtifactBundleThroughApi, storeReleaseBundle as storeReleaseBundleThroughApi } from './storeThroughApi.js';

const ORG = '/api/0/organizations/acme';
const LOOKUP = '/api/0/projects/acme/web/artifacts/lookup/';

describe('our own GET artifacts/lookup/ and artifact downloads', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await ApiHarness.create();
    await createProject(h.assembly.orgDeps(), { organizationSlug: 'acme', name: 'Api', slug: 'api' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const storeArtifactBundle = (bundle: Buffer, links: { version?: string; dist?: string; projects?: string[] } = {}) =>
    storeArtifactBundleThroughApi(h, bundle, links);
  const storeReleaseBundle = (version: string, files: BundleFile[], dist?: string) => storeReleaseBundleThroughApi(h, version, files, dist);

  /** The lookup's answer; every bundle member in it is downloaded to check that `size` is what its `url` answers. */
  async function lookup(query: Record<string, string>, base = LOOKUP): Promise<Match[]> {
    const res = await h.inject({ method: 'GET', url: base, query });
    expect(res.statusCode).toBe(200);
    const matches = res.json<Match[]>();
    for (const member of matches.filter((m) => m.type === 'bundle_member')) await expectSizeOfDownload(member);
    return matches;
  }

  /** A listed size that a client could not trust (null, or not the downloaded byte count) fails here. */
  async function expectSizeOfDownload(match: Match) {
    const res = await h.inject({ method: 'GET', url: match.url });
    expect(res.statusCode).toBe(200);
    expect(match.size).toBe(res.rawPayload.length);
  }

  async function download(url: string) {
    const res = await h.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe(String(res.rawPayload.length));
    return res;
  }

  const files = (prefix: string, count: number, extra: Partial<BundleFile> = {}): BundleFile[] =>
    Array.from({ length: count }, (_, i) => ({
      path: `files/_/_/${prefix}/f${i}.js`,
      url: `~/${prefix}/f${i}.js`,
      content: `/* ${prefix} ${i} */ console.log(${JSON.stringify(prefix)}, ${i});`,
      ...extra,
    }));

  it('finds a real sentry-cli bundle by debug id (any spelling): the bundle, then the two files, exact bytes back', async () => {
    const bundleBytes = await fixture(FIXTURE.injected);
    await storeArtifactBundle(bundleBytes);
    const matches = await lookup({ debug_id: '4B405AF9C1165F6D9E2E84F483A0645A' });
    expect(matches.map((m) => [m.type, m.resolved_with, m.abs_path, m.file_type])).toEqual([
      ['bundle', 'debug-id', null, null],
      ['bundle_member', 'debug-id', '~/app.js', 'minified_source'],
      ['bundle_member', 'debug-id', '~/app.js.map', 'source_map'],
    ]);
    const [bundle, script, map] = matches as [Match, Match, Match];
    expect(bundle).toMatchObject({ sha1: FIXTURE.injected, size: bundleBytes.length, release: null, dist: null, debug_id: null });
    expect(bundle.bundle).toMatchObject({ id: bundle.id, bundle_id: 'a8c346cb-e244-5c1f-a91b-b0aae0cb98a2', checksum: FIXTURE.injected, artifact_count: 4 });
    expect(script).toMatchObject({ debug_id: '4b405af9-c116-5f6d-9e2e-84f483a0645a', member: 'files/_/_/app.js', headers: { sourcemap: 'app.js.map' } });
    expect(script.url).toBe(`${LOOKUP}bundles/${bundle.id}/files/?member=files%2F_%2F_%2Fapp.js`);

    const whole = await download(bundle.url);
    expect(Buffer.compare(whole.rawPayload, bundleBytes)).toBe(0);
    expect(whole.headers['content-disposition']).toBe(`attachment; filename="${FIXTURE.injected}.bundle.zip"`);

    const zip = await unzipper.Open.buffer(bundleBytes);
    for (const member of [script, map]) {
      const res = await download(member.url);
      const expected = await zip.files.find((f) => f.path === member.member)!.buffer();
      expect(Buffer.compare(res.rawPayload, expected)).toBe(0);
      expect(member.size).toBe(expected.length);
      expect(member.sha1).toBeNull();
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${member.abs_path!.slice(2)}"`);
    }
    expect((await download(script.url)).headers['content-type']).toMatch(/javascript/);
    expect((await download(map.url)).headers['content-type']).toBe('application/json');
  });

  it('sizes each bundle member by its uncompressed bytes as uploaded, whichever way it is found', async () => {
    const debugId = '22222222-3333-4444-5555-666666666666';
    const headers = { 'debug-id': debugId };
    const uploaded = [
      // multi-byte characters: bytes, not characters, are counted
      { path: 'files/_/_/size/utf8.js', url: '~/size/utf8.js', content: 'const greeting = "grüße, 世界 🌍";\n', headers },
      // deflates to a small fraction: the size is not the compressed size
      { path: 'files/_/_/size/big.js', url: '~/size/big.js', content: 'console.log("repeat");\n'.repeat(5000), headers },
      { path: 'files/_/_/size/empty.js', url: '~/size/empty.js', content: '', headers },
    ];
    await storeArtifactBundle(await buildArtifactBundle({ files: uploaded }), { version: 'size-1' });

    const lengths = new Map(uploaded.map((f) => [f.url, Buffer.byteLength(f.content)]));
    const byDebugId = (await lookup({ debug_id: debugId })).filter((m) => m.type === 'bundle_member');
    expect(byDebugId.map((m) => [m.abs_path, m.size, m.sha1])).toEqual(uploaded.map((f) => [f.url, lengths.get(f.url), null]));
    for (const file of uploaded) {
      const [member] = (await lookup({ release: 'size-1', url: `https://app.example${file.url.slice(1)}` })).filter((m) => m.type === 'bundle_member');
      expect(member).toMatchObject({ abs_path: file.url, size: lengths.get(file.url), sha1: null });
    }
  });

  it('answers 400 for a malformed debug id, a dist without a release, or nothing to look up', async () => {
    const refused: Array<Record<string, string>> = [{ debug_id: 'Eb6e60f1asd1bbeDEd627b-1232xwzsd' }, { debug_id: '4b405af9-c116-5f6d-9e2e-84f483a0645a', dist: 'x' }, {}, { url: '~/app.js' }];
    for (const query of refused) {
      const res = await h.inject({ method: 'GET', url: LOOKUP, query });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ detail: string }>().detail).toEqual(expect.any(String));
    }
    expect((await lookup({ debug_id: '00000000-0000-0000-0000-000000000001' }))).toEqual([]);
  });

  it('finds bundle members by release and URL, with and without `~/`, exact origin before any origin', async () => {
    const bundle = await buildArtifactBundle({
      files: [
        { path: 'files/_/_/static/app.js', url: '~/static/app.js', content: 'any origin app' },
        { path: 'files/cdn/static/app.js', url: 'https://cdn.example/static/app.js', content: 'cdn app' },
        { path: 'files/cdn/static/vendor.js', url: 'https://cdn.example/static/vendor.js', content: 'cdn vendor' },
      ],
    });
    await storeArtifactBundle(bundle, { version: 'url-1' });
    const members = async (url: string) =>
      (await lookup({ release: 'url-1', url })).filter((m) => m.type === 'bundle_member').map((m) => [m.resolved_with, m.abs_path]);

    expect(await members('https://cdn.example/static/app.js?v=3#x')).toEqual([
      ['index', 'https://cdn.example/static/app.js'],
      ['index', '~/static/app.js'],
    ]);
    expect(await members('http://elsewhere.test/static/app.js')).toEqual([['index', '~/static/app.js']]);
    expect(await members('~/static/app.js')).toEqual([['index', '~/static/app.js']]);
    expect(await members('https://cdn.example/static/vendor.js')).toEqual([['index', 'https://cdn.example/static/vendor.js']]);
    expect(await members('http://elsewhere.test/static/vendor.js')).toEqual([]);
    expect(await lookup({ release: 'url-2', url: '~/static/app.js' })).toEqual([]);

    const [first, member] = await lookup({ release: 'url-1', url: 'http://elsewhere.test/static/app.js' });
    expect(first).toMatchObject({ type: 'bundle', resolved_with: 'index', release: 'url-1', dist: null });
    expect((await download(member!.url)).rawPayload.toString()).toBe('any origin app');
  });

  it('keeps dists apart, and finds a bundle uploaded for two dists under both', async () => {
    const ios = await buildArtifactBundle({ files: [{ path: 'files/_/_/main.js', url: '~/main.js', content: 'ios main' }] });
    const android = await buildArtifactBundle({ files: [{ path: 'files/_/_/main.js', url: '~/main.js', content: 'android main' }] });
    const shared = await buildArtifactBundle({ files: [{ path: 'files/_/_/shared.js', url: '~/shared.js', content: 'shared by two dists' }] });
    const iosChecksum = await storeArtifactBundle(ios, { version: 'dist-1', dist: 'ios' });
    const androidChecksum = await storeArtifactBundle(android, { version: 'dist-1', dist: 'android' });
    const sharedChecksum = await storeArtifactBundle(shared, { version: 'dist-1', dist: 'one' });
    await storeArtifactBundle(shared, { version: 'dist-1', dist: 'two' });

    const contentOf = async (query: Record<string, string>) => {
      const matches = await lookup(query);
      const member = matches.find((m) => m.type === 'bundle_member');
      return member ? (await download(member.url)).rawPayload.toString() : null;
    };
    expect(await contentOf({ release: 'dist-1', dist: 'ios', url: 'http://app/main.js' })).toBe('ios main');
    expect(await contentOf({ release: 'dist-1', dist: 'android', url: 'http://app/main.js' })).toBe('android main');
    expect(await contentOf({ release: 'dist-1', url: 'http://app/main.js' })).toBeNull();
    expect(await contentOf({ release: 'dist-1', dist: 'one', url: '~/shared.js' })).toBe('shared by two dists');
    expect(await contentOf({ release: 'dist-1', dist: 'two', url: '~/shared.js' })).toBe('shared by two dists');
    expect(await contentOf({ release: 'dist-1', dist: 'ios', url: '~/shared.js' })).toBeNull();

    // a release alone lists what it resolves to: the bundles of that dist, no members
    const listed = await lookup({ release: 'dist-1', dist: 'two' });
    expect(listed.map((m) => [m.type, m.resolved_with, m.sha1, m.dist])).toEqual([['bundle', 'release', sharedChecksum, 'two']]);
    expect((await lookup({ release: 'dist-1', dist: 'ios' })).map((m) => m.sha1)).toEqual([iosChecksum]);
    expect((await lookup({ release: 'dist-1', dist: 'android' })).map((m) => m.sha1)).toEqual([androidChecksum]);
  });

  it('finds release-bundle files: artifact-index entries of an archive and single files, exact bytes back', async () => {
    const archived = files('arch', 12, { headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
    await storeReleaseBundle('rel-archive', archived, 'web-1');
    const singles = files('single', 3);
    await storeReleaseBundle('rel-single', singles);

    const byUrl = await lookup({ release: 'rel-archive', dist: 'web-1', url: 'https://example.com/arch/f7.js?x=1' });
    expect(byUrl.map((m) => [m.type, m.resolved_with, m.abs_path, m.dist, m.size, m.sha1])).toEqual([
      ['release_file', 'release-old', '~/arch/f7.js', 'web-1', Buffer.byteLength(archived[7]!.content), sha1(Buffer.from(archived[7]!.content))],
    ]);
    expect(byUrl[0]!.url).toBe(`/api/0/projects/acme/web/releases/rel-archive/files/${byUrl[0]!.id}/?download=1`);
    const entry = await download(byUrl[0]!.url);
    expect(entry.rawPayload.toString()).toBe(archived[7]!.content);
    expect(entry.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(await lookup({ release: 'rel-archive', url: '~/arch/f7.js' })).toEqual([]);

    const all = await lookup({ release: 'rel-archive', dist: 'web-1' });
    expect(all.map((m) => m.abs_path).sort()).toEqual(archived.map((f) => f.url).sort());

    const listed = await lookup({ release: 'rel-single' });
    expect(listed.map((m) => m.abs_path)).toEqual(singles.map((f) => f.url));
    for (const [i, match] of listed.entries()) {
      expect(match).toMatchObject({ type: 'release_file', resolved_with: 'release-old', id: expect.stringMatching(/^\d+$/) });
      expect((await download(match.url)).rawPayload.toString()).toBe(singles[i]!.content);
    }
  });

  it('caps the answer at 100 matches and says so in X-Lookup-Truncated', async () => {
    await storeReleaseBundle('many-1', files('many', 120));
    const res = await h.inject({ method: 'GET', url: LOOKUP, query: { release: 'many-1' } });
    expect(res.statusCode).toBe(200);
    expect(res.json<Match[]>()).toHaveLength(100);
    expect(res.headers['x-lookup-truncated']).toBe('true');
    const narrow = await h.inject({ method: 'GET', url: LOOKUP, query: { release: 'many-1', url: '~/many/f119.js' } });
    expect(narrow.json<Match[]>().map((m) => m.abs_path)).toEqual(['~/many/f119.js']);
    expect(narrow.headers['x-lookup-truncated']).toBeUndefined();
  });

  it('prefers artifact bundles, then artifact-index entries, then single release files', async () => {
    const version = 'mixed-1';
    const archived = [{ path: 'files/_/_/app.js', url: '~/app.js', content: 'from the archive' }, ...files('mixed', 10)];
    await storeReleaseBundle(version, archived);
    await storeReleaseBundle(version, [{ path: 'files/_/_/app.js', url: '~/app.js', content: 'single file' }]);
    const checksum = await storeArtifactBundle(await buildArtifactBundle({ files: [{ path: 'files/_/_/app.js', url: '~/app.js', content: 'from the bundle' }] }), {
      version,
    });

    const matches = await lookup({ release: version, url: 'https://example.com/app.js' });
    expect(matches.map((m) => [m.type, m.resolved_with])).toEqual([
      ['bundle', 'index'],
      ['bundle_member', 'index'],
      ['release_file', 'release-old'],
      ['release_file', 'release-old'],
    ]);
    expect(matches[0]!.sha1).toBe(checksum);
    const contents = [];
    for (const match of matches.slice(1)) contents.push((await download(match.url)).rawPayload.toString());
    expect(contents).toEqual(['from the bundle', 'from the archive', 'single file']);

    // a release alone: its bundle first, then every release file (archive entries before single files)
    const listed = await lookup({ release: version });
    expect(listed.map((m) => m.type)).toEqual(['bundle', ...Array(11).fill('release_file'), 'release_file']);
    expect(listed.at(-1)).toMatchObject({ abs_path: '~/app.js', id: expect.stringMatching(/^\d+$/) });
  });

  it('answers 404 for another project’s or organisation’s bundles, and unknown bundles or members', async () => {
    const bundle = await buildArtifactBundle({
      files: [{ path: 'files/_/_/scoped.js', url: '~/scoped.js', content: 'web only', headers: { 'debug-id': '11111111-2222-3333-4444-555555555555' } }],
      release: 'scope-1',
    });
    await storeArtifactBundle(bundle);
    const [found, member] = await lookup({ debug_id: '11111111-2222-3333-4444-555555555555' });
    expect(found?.type).toBe('bundle');

    const apiBase = '/api/0/projects/acme/api/artifacts/lookup/';
    expect(await lookup({ debug_id: '11111111-2222-3333-4444-555555555555' }, apiBase)).toEqual([]);
    expect(await lookup({ release: 'scope-1', url: '~/scoped.js' }, apiBase)).toEqual([]);
    const foreign = [found!.url, member!.url].map((url) => url.replace('/projects/acme/web/', '/projects/acme/api/'));
    for (const url of foreign) expect((await h.inject({ method: 'GET', url })).statusCode).toBe(404);

    const other = await createOrganization(h.assembly.orgDeps(), { name: 'Other', slug: 'other' });
    await createProject(h.assembly.orgDeps(), { organizationSlug: other.slug, name: 'Web', slug: 'web' });
    const { token } = await createApiToken(h.db, { organizationSlug: other.slug, name: 'other' });
    const otherAuth = { authorization: `Bearer ${token}` };
    expect((await h.inject({ method: 'GET', url: found!.url, headers: otherAuth })).statusCode).toBe(404);
    const viaOtherOrg = found!.url.replace('/projects/acme/web/', '/projects/other/web/');
    expect((await h.inject({ method: 'GET', url: viaOtherOrg, headers: otherAuth })).statusCode).toBe(404);
    expect((await h.inject({ method: 'GET', url: '/api/0/projects/other/web/artifacts/lookup/', query: { debug_id: '11111111-2222-3333-4444-555555555555' }, headers: otherAuth })).json()).toEqual([]);

    for (const url of [
      `${LOOKUP}bundles/abc/`,
      `${LOOKUP}bundles/99999999999999999999/`,
      `${LOOKUP}bundles/${Number(found!.id) + 1000}/`,
      `${LOOKUP}bundles/${found!.id}/files/?member=files%2Fnope.js`,
      `${LOOKUP}bundles/${found!.id}/files/?member=files%2F_%2F_%2F`,
    ]) {
      expect((await h.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
    expect((await h.inject({ method: 'GET', url: `${LOOKUP}bundles/${found!.id}/files/` })).statusCode).toBe(400);
  });
});
