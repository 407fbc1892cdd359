import type { Worker } from 'bullmq';
import { bullConnection } from '../../src/adapters/redis/connect.js';
import { ApiClient, ApiError, splitIntoChunks, type Release } from '../../src/client/index.js';
import { silentLogger } from '../../src/logging/logger.js';
import { closeDashboardWorker, createDashboardWorker } from '../../src/workers/dashboards/createDashboardWorker.js';
import { fixture } from '../artifactBundles/sysbBundles.js';
import { startCliTarget } from '../e2e/sentryCli.js';
import type { ApiHarness } from '../http/apiHarness.js';
import { TEST_REDIS_URL } from '../support/database.js';
import { lookupAsSymbolicator } from '../support/symbolicatorConsumer.js';
import { FaultyProxy } from './faultyProxy.js';

/** A real sentry-cli 2.x artifact bundle (release 1.0.0: ~/app.js, ~/assets/vendor.js and their maps). */
const CLI_BUNDLE = '707f7e38e1af60fb921bd8d1dee1257b158c38ff';
const MAX_FILE_SIZE = 64 * 1024;

/** Every method of the API client against the real server (Postgres, Redis, disk store, in-process workers). */
describe('ApiClient against the real server', () => {
  let api: ApiHarness;
  let url: string;
  let client: ApiClient;
  let proxy: FaultyProxy;
  let dashboardWorker: Worker;

  beforeAll(async () => {
    const server = await startCliTarget({ maxFileSize: MAX_FILE_SIZE });
    api = server.api;
    url = server.target.url;
    client = new ApiClient({ url, token: api.token, backoffMs: 10 });
    proxy = await FaultyProxy.start(url);
    dashboardWorker = createDashboardWorker({
      connection: bullConnection(TEST_REDIS_URL, { forBullWorker: true }),
      prefix: api.assembly.prefix,
      concurrency: 1,
      deps: { db: api.db },
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await closeDashboardWorker(dashboardWorker);
    await proxy?.close();
    await api?.close();
  }, 30_000);

  /** The ApiError a call ends in (fails the test when it succeeds or throws anything else). */
  async function apiErrorOf(call: Promise<unknown>): Promise<ApiError> {
    const err = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
    return err;
  }

  it('request adds /api/0 unless the path has it; get/post/put/delete go through it', async () => {
    expect(client.urlFor('/organizations/acme/releases/').href).toBe(`${url}/api/0/organizations/acme/releases/`);
    expect(client.urlFor('organizations/acme/releases/', { query: 'x', project: ['1', '2'], none: undefined }).href).toBe(
      `${url}/api/0/organizations/acme/releases/?query=x&project=1&project=2`,
    );
    const created = await client.post<Release>('/organizations/acme/releases/', { version: 'raw@1', projects: ['web'] });
    expect(created.version).toBe('raw@1');
    const viaPrefixed = await client.get<Release>('/api/0/organizations/acme/releases/raw%401/');
    const viaBare = await client.request<Release>('GET', '/organizations/acme/releases/raw%401/');
    expect([viaPrefixed.version, viaBare.version]).toEqual(['raw@1', 'raw@1']);
    expect((await client.put<Release>('/organizations/acme/releases/raw%401/', { ref: 'abc' })).ref).toBe('abc');
    expect(await client.delete('/organizations/acme/releases/raw%401/')).toBeNull();
    expect((await apiErrorOf(client.get('/organizations/acme/releases/raw%401/'))).status).toBe(404);
  });

  it('releases: create, get, list, finalize, delete', async () => {
    const release = await client.createRelease('acme', { version: 'svc@2.0.0', projects: ['web'] });
    expect([release.version, release.projects.map((p) => p.slug)]).toEqual(['svc@2.0.0', ['web']]);
    expect((await client.getRelease('acme', 'svc@2.0.0')).dateReleased).toBeNull();
    expect((await client.listReleases('acme', { query: 'svc@' })).map((r) => r.version)).toEqual(['svc@2.0.0']);
    const finalized = await client.updateRelease('acme', 'svc@2.0.0', { dateReleased: '2026-01-02T03:04:05Z' });
    expect(finalized.dateReleased).toMatch(/^2026-01-02T03:04:05/);
    await client.deleteRelease('acme', 'svc@2.0.0');
    expect((await apiErrorOf(client.getRelease('acme', 'svc@2.0.0'))).status).toBe(404);
  });

  it('release files: upload, list, get, download, delete', async () => {
    await client.createRelease('acme', { version: 'files@1', projects: ['web'] });
    const content = Buffer.from('console.log("hello from a service");\n');
    const file = await client.uploadReleaseFile('acme', 'files@1', { name: '~/static/app.js', content, headers: { Sourcemap: 'app.js.map' } });
    expect([file.name, file.size, file.headers]).toEqual(['~/static/app.js', content.length, { 'Content-Type': 'application/octet-stream', Sourcemap: 'app.js.map' }]);
    expect((await client.listReleaseFiles('acme', 'files@1')).map((f) => f.id)).toEqual([file.id]);
    expect((await client.getReleaseFile('acme', 'files@1', file.id)).sha1).toBe(file.sha1);
    expect((await client.downloadReleaseFile('acme', 'files@1', file.id)).equals(content)).toBe(true);
    await client.deleteReleaseFile('acme', 'files@1', file.id);
    expect(await client.listReleaseFiles('acme', 'files@1')).toEqual([]);
  });

  it('uploads a real sentry-cli bundle through chunk upload and assemble polling to ok; the lookup serves it back', async () => {
    const bundle = await fixture(CLI_BUNDLE);
    const options = await client.getChunkUploadOptions('acme');
    expect(options.url).toBe(`${url}/api/0/organizations/acme/chunk-upload/`);
    const answer = await client.uploadArtifactBundle('acme', bundle, { projects: ['web'], version: '1.0.0' }, { intervalMs: 20, timeoutMs: 30_000 });
    expect(answer).toEqual({ state: 'ok', detail: null, missingChunks: [] });

    const matches = await client.lookupArtifacts('acme', 'web', { release: '1.0.0', url: '~/app.js' });
    // our richer answer: the bundle and its member, each with its own download
    expect(matches.map((m) => [m.type, m.abs_path ?? null])).toEqual([['bundle', null], ['bundle_member', '~/app.js']]);
    const downloaded = await client.download(matches[0]?.url ?? '');
    expect(downloaded.equals(bundle)).toBe(true);
    // and the same answer satisfies a strict Symbolicator-style reader
    const { files } = await lookupAsSymbolicator({ lookupUrl: `${url}/api/0/projects/acme/web/artifact-lookup/`, token: api.token, release: '1.0.0', urls: ['~/app.js'] });
    expect(files.map((f) => f.url)).toContain('~/app.js');
  });

  it('chunk upload sends several requests when the bundle has more chunks than one request may carry', async () => {
    const bundle = Buffer.concat([await fixture(CLI_BUNDLE), Buffer.from('trailing bytes make another checksum')]);
    const { checksum, chunks } = splitIntoChunks(bundle, 256);
    const options = await client.getChunkUploadOptions('acme');
    proxy.play([]);
    const viaProxy = new ApiClient({ url: proxy.url, token: api.token });
    await viaProxy.uploadChunks({ ...options, url: `${proxy.url}/api/0/organizations/acme/chunk-upload/`, chunksPerRequest: 2 }, chunks);
    expect(proxy.requests).toBe(Math.ceil(chunks.length / 2));
    // all chunks are there: the assemble endpoint misses none (the zip with trailing bytes may still fail to open)
    const answer = await client.assembleArtifactBundle('acme', { checksum, chunks: chunks.map((c) => c.sha1), projects: ['web'] });
    expect(answer.missingChunks).toEqual([]);
  });

  it('dashboards: create, list, get, update, delete', async () => {
    const created = await client.createDashboard('acme', { title: 'Service health' });
    expect(created.title).toBe('Service health');
    const id = String(created.id);
    expect((await client.listDashboards('acme')).map((d) => d.title)).toContain('Service health');
    expect((await client.getDashboard('acme', id)).title).toBe('Service health');
    expect((await client.updateDashboard('acme', id, { title: 'Service health v2' })).title).toBe('Service health v2');
    await client.deleteDashboard('acme', id);
    expect((await apiErrorOf(client.getDashboard('acme', id))).status).toBe(404);
  });

  it('errors: 401 bad token, 404 unknown release, 409 title clash, 413 file over the limit, each as one ApiError', async () => {
    const unauthorized = await apiErrorOf(new ApiClient({ url, token: 'not-a-token' }).listReleases('acme'));
    expect([unauthorized.status, typeof unauthorized.detail]).toEqual([401, 'string']);

    const notFound = await apiErrorOf(client.getRelease('acme', 'no-such-release'));
    expect([notFound.status, notFound.detail, notFound.body]).toEqual([404, expect.any(String), { detail: notFound.detail }]);

    await client.createDashboard('acme', { title: 'Taken' });
    const conflict = await apiErrorOf(client.createDashboard('acme', { title: 'Taken' }));
    expect([conflict.status, conflict.body]).toEqual([409, 'Dashboard title already taken']);

    await client.createRelease('acme', { version: 'big@1', projects: ['web'] });
    const tooLarge = await apiErrorOf(client.uploadReleaseFile('acme', 'big@1', { name: '~/big.js', content: Buffer.alloc(MAX_FILE_SIZE * 2, 0x61) }));
    expect([tooLarge.status, tooLarge.detail]).toEqual([413, expect.stringMatching(/.+/)]);
    expect(tooLarge).toBeInstanceOf(Error);
  });

  it('retries a 503 and a 429 from a real proxy, then succeeds; never retries a 404', async () => {
    const viaProxy = new ApiClient({ url: proxy.url, token: api.token, backoffMs: 10 });
    await client.createRelease('acme', { version: 'retry@1', projects: ['web'] });
    proxy.play(['unavailable', 'too_many_requests']);
    expect((await viaProxy.getRelease('acme', 'retry@1')).version).toBe('retry@1');
    expect(proxy.requests).toBe(3);

    proxy.play([]);
    expect((await apiErrorOf(viaProxy.getRelease('acme', 'missing'))).status).toBe(404);
    expect(proxy.requests).toBe(1);
  });

  it('gives up after its retries on a lasting 503, with the detail', async () => {
    const viaProxy = new ApiClient({ url: proxy.url, token: api.token, retries: 2, backoffMs: 5 });
    proxy.play(['unavailable'], { always: true });
    const err = await apiErrorOf(viaProxy.listReleases('acme'));
    expect([err.status, err.detail, proxy.requests]).toEqual([503, 'Service temporarily unavailable', 3]);
  });

  it('retries a connection reset, and reports a refused connection as status 0 at once', async () => {
    const viaProxy = new ApiClient({ url: proxy.url, token: api.token, backoffMs: 10 });
    proxy.play(['reset']);
    expect((await viaProxy.listReleases('acme')).length).toBeGreaterThan(0);
    expect(proxy.requests).toBe(2);

    const closed = await FaultyProxy.start(url);
    const deadUrl = closed.url;
    await closed.close();
    const refused = await apiErrorOf(new ApiClient({ url: deadUrl, token: api.token }).listReleases('acme'));
    expect(refused.status).toBe(0);
  });
});
