import { createApiToken } from '../../src/auth/apiTokens.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { createProject } from '../../src/orgs/createProject.js';
import { ApiHarness } from '../http/apiHarness.js';
import type { BundleFile } from '../support/bundles.js';
import { decodeLookupAnswer, lookupAsSymbolicator, SymbolicatorRuleError } from '../support/symbolicatorConsumer.js';
import { FIXTURE, buildArtifactBundle, fixture } from './sysbBundles.js';
import { storeArtifactBundle as storeArtifactBundleThroughApi, storeReleaseBundle as storeReleaseBundleThroughApi } from './storeThroughApi.js';

const ORG = '/api/0/organizations/acme';
const LOOKUP = '/api/0/projects/acme/web/artifact-lookup/';

// Sentry's artifact-lookup route answers exactly Sentry's wire format, read back by a Symbolicator-like consumer.
describe('GET artifact-lookup/ in Sentry’s format', () => {
  let h: ApiHarness;
  let base: string;

  beforeAll(async () => {
    h = await ApiHarness.create();
    base = await h.listen();
    await createProject(h.assembly.orgDeps(), { organizationSlug: 'acme', name: 'Api', slug: 'api' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const symbolicator = (query: { debugIds?: string[]; urls?: string[]; release?: string; dist?: string }) =>
    lookupAsSymbolicator({ lookupUrl: `${base}${LOOKUP}`, token: h.token, ...query });

  const storeArtifactBundle = (bundle: Buffer, links: { version?: string; dist?: string; projects?: string[] } = {}) =>
    storeArtifactBundleThroughApi(h, bundle, links);
  const storeReleaseBundle = (version: string, files: BundleFile[], dist?: string) => storeReleaseBundleThroughApi(h, version, files, dist);

  const files = (prefix: string, count: number): BundleFile[] =>
    Array.from({ length: count }, (_, i) => ({
      path: `files/_/_/${prefix}/f${i}.js`,
      url: `~/${prefix}/f${i}.js`,
      content: `/* ${prefix} ${i} */ console.log(${i});`,
      headers: { Sourcemap: `f${i}.js.map` },
    }));

  const answer = async (query: string, headers: Record<string, string> = {}) => {
    const res = await h.inject({ method: 'GET', url: `${LOOKUP}?${query}`, headers });
    expect(res.statusCode).toBe(200);
    return res.json<Array<Record<string, unknown>>>();
  };

  it('answers [] with no parameters, a debug id that does not normalise, a dist alone or a URL without a release', async () => {
    for (const query of ['', 'debug_id=not-a-debug-id', 'dist=x', 'url=~/app.js', 'debug_id=00000000-0000-0000-0000-000000000001']) {
      expect(await answer(query)).toEqual([]);
    }
  });

  it('finds a real sentry-cli bundle by debug id in any spelling; exactly Sentry’s keys; the download is the bundle as uploaded', async () => {
    const bytes = await fixture(FIXTURE.injected);
    await storeArtifactBundle(bytes);
    const [bundle] = await answer('debug_id=4B405AF9C1165F6D9E2E84F483A0645A');
    const id = String(bundle?.id);
    expect(id).toMatch(/^artifact_bundle\/\d+$/);
    expect(bundle).toEqual({ id, type: 'bundle', url: `http://localhost:80${LOOKUP}?download=${id}`, resolved_with: 'debug-id' });
    expect(await answer('debug_id=4b405af9-c116-5f6d-9e2e-84f483a0645a')).toEqual([bundle]);

    // the url is built on the origin the consumer used
    const [viaHost] = await answer('debug_id=4b405af9-c116-5f6d-9e2e-84f483a0645a', { host: 'symbols.example:8443' });
    expect(viaHost?.url).toBe(`http://symbols.example:8443${LOOKUP}?download=${id}`);

    const res = await h.inject({ method: 'GET', url: `${LOOKUP}?download=${id}` });
    expect(res.statusCode).toBe(200);
    expect(Buffer.compare(res.rawPayload, bytes)).toBe(0);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-length']).toBe(String(bytes.length));
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=/);

    const found = await symbolicator({ debugIds: ['4b405af9c1165f6d9e2e84f483a0645a'] });
    expect(found.files.map((f) => [f.url, f.fileType])).toEqual(expect.arrayContaining([['~/app.js', 'minified_source'], ['~/app.js.map', 'source_map']]));
  });

  it('answers several debug ids at once, sorted by id; a bundle holding two of them once', async () => {
    const ids = ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002', 'aaaaaaaa-0000-4000-8000-000000000003'];
    const one = await buildArtifactBundle({ files: [{ path: 'files/_/_/m/a.js', url: '~/m/a.js', content: 'a', headers: { 'debug-id': ids[0]! } }] });
    const two = await buildArtifactBundle({
      files: [
        { path: 'files/_/_/m/b.js', url: '~/m/b.js', content: 'b', headers: { 'debug-id': ids[1]! } },
        { path: 'files/_/_/m/c.js', url: '~/m/c.js', content: 'c', headers: { 'debug-id': ids[2]! } },
      ],
    });
    await storeArtifactBundle(one);
    await storeArtifactBundle(two);
    const found = await symbolicator({ debugIds: [...ids].reverse() });
    expect(found.elements).toHaveLength(2);
    const numeric = found.elements.map((e) => Number(e.id.split('/')[1]));
    expect(numeric).toEqual([...numeric].sort((a, b) => a - b));
    expect(found.files.map((f) => [f.url, f.bytes.toString()]).sort()).toEqual([['~/m/a.js', 'a'], ['~/m/b.js', 'b'], ['~/m/c.js', 'c']]);
  });

  it('falls back to the release archive and single files (URL substring, any case, at most 10) only when no bundle matches', async () => {
    const archived = files('arch', 12);
    await storeReleaseBundle('legacy-1', archived, 'web-1');
    const [archive] = await answer('release=legacy-1&dist=web-1');
    expect(archive).toEqual({ id: expect.stringMatching(/^release_file\/\d+$/), type: 'bundle', url: expect.any(String), resolved_with: 'release-old' });
    const fromArchive = await symbolicator({ release: 'legacy-1', dist: 'web-1' });
    expect(fromArchive.files.map((f) => [f.url, f.bytes.toString()]).sort()).toEqual(archived.map((f) => [f.url, f.content]).sort());
    expect(await answer('release=legacy-1')).toEqual([]);

    // single files, two uploads of six: twelve names contain the URL, ten are answered
    const singles = [...files('single', 6), ...files('single', 12).slice(6)];
    await storeReleaseBundle('legacy-2', singles.slice(0, 6));
    await storeReleaseBundle('legacy-2', singles.slice(6));
    const listed = await answer('release=legacy-2&url=SINGLE/');
    expect(listed).toHaveLength(10);
    expect(listed[0]).toEqual({
      id: expect.stringMatching(/^release_file\/\d+$/),
      type: 'file',
      url: expect.any(String),
      abs_path: expect.stringMatching(/^~\/single\/f\d+\.js$/),
      headers: { Sourcemap: expect.stringMatching(/\.js\.map$/) },
      resolved_with: 'release-old',
    });
    const found = await symbolicator({ release: 'legacy-2', urls: ['/single/f7'] });
    expect(found.files.map((f) => [f.url, f.bytes.toString(), f.headers])).toEqual([['~/single/f7.js', singles[7]!.content, { Sourcemap: 'f7.js.map' }]]);
    expect(await answer('release=legacy-2')).toEqual([]);

    // once an artifact bundle matches the release, only bundles are answered
    await storeArtifactBundle(await buildArtifactBundle({ files: [{ path: 'files/_/_/single/f7.js', url: '~/single/f7.js', content: 'bundled' }] }), { version: 'legacy-2' });
    const preferred = await symbolicator({ release: 'legacy-2', urls: ['/single/f7'] });
    expect(preferred.elements.map((e) => [e.type, e.id.split('/')[0], e.resolved_with])).toEqual([['bundle', 'artifact_bundle', 'release']]);
    expect(preferred.files.map((f) => f.bytes.toString())).toEqual(['bundled']);
  });

  it('the consumer’s rules throw on our own richer answer (unknown types, relative urls)', async () => {
    const own = await h.inject({ method: 'GET', url: '/api/0/projects/acme/web/artifacts/lookup/?release=legacy-1&dist=web-1' });
    expect(own.statusCode).toBe(200);
    expect(() => decodeLookupAnswer(own.json(), `${base}${LOOKUP}`)).toThrow(SymbolicatorRuleError);
    expect(() => decodeLookupAnswer([{ id: 'x', type: 'bundle', url: `${LOOKUP}?download=x` }], `${base}${LOOKUP}`)).toThrow(/not absolute/);
  });

  it('never lets another project or organisation download an artifact, on the download form too', async () => {
    const debugId = 'bbbbbbbb-0000-4000-8000-000000000001';
    await storeArtifactBundle(await buildArtifactBundle({ files: [{ path: 'files/_/_/s.js', url: '~/s.js', content: 'secret', headers: { 'debug-id': debugId } }] }));
    await storeReleaseBundle('scoped-1', files('scoped', 11));
    const [bundle] = await answer(`debug_id=${debugId}`);
    const [archive] = await answer('release=scoped-1');
    const bundleId = String(bundle?.id);
    const archiveId = String(archive?.id);

    expect(bundleId).toMatch(/^artifact_bundle\/\d+$/);
    expect(archiveId).toMatch(/^release_file\/\d+$/);
    // another project of the organisation: the bundle is not linked to it
    const apiLookup = '/api/0/projects/acme/api/artifact-lookup/';
    expect((await h.inject({ method: 'GET', url: `${apiLookup}?debug_id=${debugId}` })).json()).toEqual([]);
    expect((await h.inject({ method: 'GET', url: `${apiLookup}?download=${bundleId}` })).statusCode).toBe(404);

    const other = await createOrganization(h.assembly.orgDeps(), { name: 'Other', slug: 'other' });
    await createProject(h.assembly.orgDeps(), { organizationSlug: other.slug, name: 'Web', slug: 'web' });
    const { token } = await createApiToken(h.db, { organizationSlug: other.slug, name: 'other' });
    const otherAuth = { authorization: `Bearer ${token}` };
    for (const id of [bundleId, archiveId]) {
      // the other organisation's token on acme's route, and on its own route with acme's ids
      expect((await h.inject({ method: 'GET', url: `${LOOKUP}?download=${id}`, headers: otherAuth })).statusCode).toBe(404);
      expect((await h.inject({ method: 'GET', url: `/api/0/projects/other/web/artifact-lookup/?download=${id}`, headers: otherAuth })).statusCode).toBe(404);
      // without a token nothing at all
      expect((await h.inject({ method: 'GET', url: `${LOOKUP}?download=${id}`, headers: { authorization: '' } })).statusCode).toBe(401);
    }
    expect((await h.inject({ method: 'GET', url: `/api/0/projects/other/web/artifact-lookup/?debug_id=${debugId}`, headers: otherAuth })).json()).toEqual([]);
    expect((await h.inject({ method: 'GET', url: '/api/0/projects/other/web/artifact-lookup/?release=scoped-1&url=scoped', headers: otherAuth })).json()).toEqual([]);
    // the read itself: the other organisation's token on acme's route, by debug id and by release
    for (const query of [`debug_id=${debugId}`, 'release=scoped-1', 'release=scoped-1&url=scoped']) {
      const read = await h.inject({ method: 'GET', url: `${LOOKUP}?${query}`, headers: otherAuth });
      expect([read.statusCode, read.json()]).toEqual([404, { detail: 'The requested resource does not exist' }]);
    }
    for (const id of ['artifact_bundle/abc', 'release_file/', 'bundle/1', 'artifact_bundle/99999999999999999999', `artifact_bundle/${Number(bundleId.split('/')[1]) + 1000}`]) {
      expect((await h.inject({ method: 'GET', url: `${LOOKUP}?download=${encodeURIComponent(id)}` })).statusCode).toBe(404);
    }
  });
});
