import { readFileBuffer } from '../../src/adapters/files/index.js';
import { findBundlesByDebugId, findBundlesByRelease, findBundlesByReleaseUrl } from '../../src/adapters/db/artifactBundleReads.js';
import { releaseFileUrlCandidates as urlCandidates } from '../../src/domain/urlCandidates.js';
import { patchZipMember, sha1, type BundleFile } from '../support/bundles.js';
import { ArtifactBundleHarness } from './harness.js';
import { FIXTURE, buildArtifactBundle, debugIdFiles, fixture } from './sysbBundles.js';

const F2_DEBUG_ID = 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b';
const F2_BUNDLE_ID = '67429b2f-1d9e-43bb-a626-771a1e37555c';

/** Reference fixture F2: 6 entries, two with one debug id on two types, two invalid ids, a typo'd type, no type. */
const F2_FILES: BundleFile[] = [
  { path: 'files/_/_/index.js', url: '~/index.js', content: 'a();', headers: { 'debug-id': 'Eb6e60f1-65ff-4f6f-Adff-f1bbeDEd627b' } },
  { path: 'files/_/_/index.js.map', url: '~/index.js.map', type: 'source_map', content: '{}', headers: { 'debug-id': F2_DEBUG_ID } },
  { path: 'files/_/_/bad.js', url: '~/bad.js', content: 'b();', headers: { 'debug-id': 'Eb6e60f1asd1bbeDEd627b-1232xwzsd' } },
  { path: 'files/_/_/bad.js.map', url: '~/bad.js.map', type: 'source_map', content: '{}', headers: { 'debug-id': 'nope' } },
  { path: 'files/_/_/typo.js', url: '~/typo.js', type: 'soure', content: 'c();', headers: { 'debug-id': '11111111-1111-1111-1111-111111111111' } },
  { path: 'files/_/_/notype.js', url: '~/notype.js', content: 'd();' },
];

const f2 = (extra: { release?: string; dist?: string } = {}) => buildArtifactBundle({ files: F2_FILES, debugId: F2_BUNDLE_ID, ...extra });

describe('artifact-bundle job', () => {
  let t: ArtifactBundleHarness;

  beforeAll(async () => {
    t = await ArtifactBundleHarness.create({ worker: false });
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.reset();
  });

  it.each([
    [null, null],
    ['1.0', null],
    [null, 'android'],
    ['1.0', 'android'],
  ])('stores a bundle with debug ids for version %p and dist %p (scenario 11)', async (version, dist) => {
    const bundle = await f2();
    // A dist without a version is refused by the endpoint; the job, like Sentry's task, just has no release to link.
    const outcome = await t.runJob(bundle, { version, dist });
    expect(outcome).toMatchObject({ mode: 'artifact-bundle', files: 6, created: true, bundleId: F2_BUNDLE_ID, debugIds: 2 });
    const debugRows = await t.db.selectFrom('debug_id_artifact_bundle').select(['debug_id', 'source_file_type']).orderBy('source_file_type').execute();
    expect(debugRows).toEqual([
      { debug_id: F2_DEBUG_ID, source_file_type: 2 },
      { debug_id: F2_DEBUG_ID, source_file_type: 3 },
    ]);
    const [stored] = await t.bundles();
    expect(stored?.bundle_id).toBe(F2_BUNDLE_ID);
    expect(stored?.checksum).toBe(sha1(bundle));
    const file = await t.db.selectFrom('file').selectAll().where('id', '=', stored?.file_id ?? '0').executeTakeFirstOrThrow();
    expect([Number(file.size), file.type]).toEqual([bundle.length, 'artifact.bundle']);
    const links = await t.releaseLinks();
    expect(links.map((l) => [l.release_name, l.dist_name])).toEqual(version ? [[version, dist ?? '']] : []);
    expect(await t.count('project_artifact_bundle')).toBe(1);
    expect(await t.h.tempEntries()).toEqual([]);
  });

  it('keeps the uploaded file byte for byte, SYSB header included (cli protocol 2.7)', async () => {
    const bundle = await fixture(FIXTURE.injected);
    expect(bundle.subarray(0, 4).toString('latin1')).toBe('SYSB');
    const outcome = await t.runJob(bundle);
    expect(outcome).toMatchObject({ mode: 'artifact-bundle', files: 4, bundleId: 'a8c346cb-e244-5c1f-a91b-b0aae0cb98a2', debugIds: 4 });
    const [stored] = await t.bundles();
    const bytes = await readFileBuffer({ db: t.db, blobs: t.h.blobs }, stored?.file_id ?? '0');
    expect(bytes.equals(bundle)).toBe(true);
    expect(stored).toMatchObject({ manifest_release: '1.0.0', manifest_dist: null, artifact_count: 4 });
    expect((await t.releaseLinks()).map((l) => [l.release_name, l.dist_name])).toEqual([['1.0.0', '']]);
  });

  it('takes release and dist from a real manifest when the request has none, and indexes its URLs', async () => {
    await t.runJob(await fixture(FIXTURE.dist));
    expect((await t.releaseLinks()).map((l) => [l.release_name, l.dist_name])).toEqual([['1.0.0', 'web-1']]);
    const urls = await t.db.selectFrom('artifact_bundle_index').select('url').orderBy('url').execute();
    expect(urls.map((u) => u.url)).toEqual([
      'app:///static/app.js',
      'app:///static/app.js.map',
      'app:///static/assets/vendor.js',
      'app:///static/assets/vendor.js.map',
    ]);
  });

  it('indexes URLs with quotes, backslashes, commas, braces, NULL-like and non-ASCII text exactly as written', async () => {
    // the URLs reach Postgres as one text[] value, whose literal syntax gives all of these a meaning
    const urls = ['~/a "quoted" {x}.js', '~/back\\slash,comma.js', '~/NULL', '~/ünï cødé 文件.js', '~/ spaced .js'];
    const files = urls.map((url, i) => ({ path: `files/_/_/${i}.js`, url, content: `f${i}()` }));
    await t.runJob(await buildArtifactBundle({ files, release: '1.0' }));
    const rows = await t.db.selectFrom('artifact_bundle_index').select('url').execute();
    expect(rows.map((r) => r.url).sort()).toEqual([...urls].sort());
  });

  it('refuses a bundle with neither debug ids nor a release and stores nothing', async () => {
    const bundle = await buildArtifactBundle({ files: [{ path: 'files/_/_/a.js', content: 'a()' }] });
    await expect(t.runJob(bundle)).rejects.toThrow('uploading a bundle without debug ids or release is prohibited');
    expect(await t.counts()).toMatchObject({ artifact_bundle: 0, file: 0 });
  });

  it('stores a bundle with debug ids and no release (injected, no --release)', async () => {
    await t.runJob(await fixture(FIXTURE.injectedNoRelease));
    expect(await t.counts()).toMatchObject({ artifact_bundle: 1, release_artifact_bundle: 0, debug_id_artifact_bundle: 4, project_artifact_bundle: 1 });
  });

  it('discards an empty bundle: ok, nothing stored', async () => {
    const outcome = await t.runJob(await buildArtifactBundle({ files: [], release: '1.0' }));
    expect(outcome).toEqual({ mode: 'empty', files: 0 });
    expect(await t.counts()).toMatchObject({ artifact_bundle: 0, file: 0 });
  });

  it('leaves no file rows after a checksum mismatch or a broken zip (scenarios 12-14)', async () => {
    const uploaded = await t.h.upload(await f2());
    const { assembleArtifactBundle } = await import('../../src/workers/assemble/assembleArtifactBundle.js');
    const { silentLogger } = await import('../../src/logging/logger.js');
    const deps = { db: t.db, blobs: t.h.blobs, settings: t.h.settings, logger: silentLogger };
    const payload = { organizationId: t.h.organization.id, projectIds: [t.projects.web], checksum: 'a'.repeat(40), chunks: uploaded.chunks };
    await expect(assembleArtifactBundle(deps, payload)).rejects.toThrow('Reported checksum mismatch');
    await expect(t.runJob(Buffer.from('invalid'))).rejects.toThrow(/^the bundle is invalid/);
    await expect(t.runJob(Buffer.concat([Buffer.from('SYSB\u0002\u0000\u0000\u0000', 'latin1'), Buffer.from('PK garbage')]))).rejects.toThrow(
      /^the bundle is invalid/,
    );
    expect(await t.count('file')).toBe(0);
    expect(await t.h.tempEntries()).toEqual([]);
  });

  it('refuses a bundle whose manifest.json has a bad CRC-32, naming it, and stores nothing', async () => {
    const bundle = patchZipMember(await f2(), 'manifest.json', { flipCrc32: true });
    await expect(t.runJob(bundle)).rejects.toMatchObject({
      code: 'bundle_invalid',
      message: 'the bundle is invalid: entry "manifest.json" has a bad CRC-32',
    });
    expect(await t.count('file')).toBe(0);
    expect(await t.h.tempEntries()).toEqual([]);
  });

  it('stores only two debug-id rows for duplicated (debug id, type) pairs (scenario 15)', async () => {
    const files: BundleFile[] = [
      ...F2_FILES,
      { path: 'files/_/_/again.js', content: 'x', headers: { 'debug-id': F2_DEBUG_ID } },
      { path: 'files/_/_/again.js.map', type: 'source_map', content: 'y', headers: { 'DEBUG-ID': F2_DEBUG_ID.toUpperCase() } },
    ];
    await t.runJob(await buildArtifactBundle({ files, debugId: F2_BUNDLE_ID }));
    expect(await t.count('debug_id_artifact_bundle')).toBe(2);
  });

  it('replaces the file of an identical re-upload, refreshes the dates and keeps one bundle (scenario 16)', async () => {
    const bundle = await f2();
    const first = await t.runJob(bundle, { version: '1.0', dist: 'android' });
    const [before] = await t.bundles();
    await new Promise((r) => setTimeout(r, 20));
    await t.runJob(bundle, { version: '1.0', dist: 'android' });
    const third = await t.runJob(bundle, { version: '1.0', dist: 'android' });
    const [after] = await t.bundles();
    expect(first).toMatchObject({ created: true });
    expect(third).toMatchObject({ created: false, artifactBundleId: after?.id });
    expect(after?.file_id).not.toBe(before?.file_id);
    expect(after?.date_added.getTime()).toBeGreaterThan(before?.date_added.getTime() ?? Infinity);
    expect(after?.date_last_modified.getTime()).toBe(after?.date_added.getTime());
    expect(await t.counts()).toMatchObject({ artifact_bundle: 1, file: 1, debug_id_artifact_bundle: 2, release_artifact_bundle: 1, project_artifact_bundle: 1 });
    const [link] = await t.releaseLinks();
    expect(link?.date_added.getTime()).toBe(after?.date_added.getTime());
    const debugDates = await t.db.selectFrom('debug_id_artifact_bundle').select('date_added').execute();
    expect(debugDates.map((d) => d.date_added.getTime())).toEqual([after?.date_added.getTime(), after?.date_added.getTime()]);
  });

  it('keeps one bundle, file and project link for a bundle uploaded 3 times without a release (scenario 17)', async () => {
    const bundle = await f2();
    for (let i = 0; i < 3; i++) await t.runJob(bundle);
    expect(await t.counts()).toMatchObject({ artifact_bundle: 1, file: 1, debug_id_artifact_bundle: 2, project_artifact_bundle: 1, release_artifact_bundle: 0 });
  });

  it('adds a release link per (release, dist) pair: one build for two releases and two dists (scenario 18)', async () => {
    const bundle = await f2();
    for (const version of ['1.0', '2.0']) for (const dist of ['android', 'ios']) await t.runJob(bundle, { version, dist });
    expect((await t.releaseLinks()).map((l) => `${l.release_name}/${l.dist_name}`)).toEqual(['1.0/android', '1.0/ios', '2.0/android', '2.0/ios']);
    expect(await t.counts()).toMatchObject({ artifact_bundle: 1, file: 1, debug_id_artifact_bundle: 2, project_artifact_bundle: 1 });
  });

  it('keeps the release link when the same bundle comes again without a release, and the reverse (scenario 19)', async () => {
    const bundle = await f2();
    await t.runJob(bundle, { version: '1.0' });
    await t.runJob(bundle);
    expect((await t.releaseLinks()).map((l) => l.release_name)).toEqual(['1.0']);
    await t.reset();
    await t.runJob(bundle);
    await t.runJob(bundle, { version: '1.0' });
    expect(await t.counts()).toMatchObject({ artifact_bundle: 1, file: 1, release_artifact_bundle: 1, project_artifact_bundle: 1 });
  });

  it('keeps two builds with the same content-derived debug_id apart: keyed by checksum (pain point 7, scenario 20)', async () => {
    const android = await f2({ release: '1.0', dist: 'android' });
    const ios = await f2({ release: '1.0', dist: 'ios' });
    await t.runJob(android);
    await t.runJob(ios);
    const bundles = await t.bundles();
    expect(bundles.map((b) => b.bundle_id)).toEqual([F2_BUNDLE_ID, F2_BUNDLE_ID]);
    expect((await t.releaseLinks()).map((l) => l.dist_name)).toEqual(['android', 'ios']);
    expect(await t.count('file')).toBe(2);
  });

  it('adds projects and never removes one', async () => {
    const bundle = await f2();
    await t.runJob(bundle, { projects: [t.projects.web] });
    await t.runJob(bundle, { projects: [t.projects.api] });
    expect(await t.count('project_artifact_bundle')).toBe(2);
  });

  it('refuses projects of another organisation or unknown ids', async () => {
    await expect(t.runJob(await f2(), { projects: ['999999'] })).rejects.toThrow('One or more projects are invalid');
    expect(await t.count('file')).toBe(0);
  });

  it('indexes every bundle so that lookups by release, URL and debug id work from the first bundle (scenario 21)', async () => {
    const org = t.h.organization.id;
    const project = t.projects.web;
    for (let i = 0; i < 3; i++) {
      await t.runJob(await buildArtifactBundle({ files: debugIdFiles(2, `b${i}`, i), release: '1.0', dist: 'android' }));
      const hits = await findBundlesByReleaseUrl(t.db, {
        organizationId: org,
        projectId: project,
        release: '1.0',
        dist: 'android',
        urls: urlCandidates(`https://cdn.example.com/b${i}/f1.js?v=1`),
      });
      expect(hits.map((h) => h.url)).toEqual([`~/b${i}/f1.js`]);
    }
    expect(await findBundlesByRelease(t.db, { organizationId: org, projectId: project, release: '1.0', dist: 'android' })).toHaveLength(3);
    expect(await findBundlesByRelease(t.db, { organizationId: org, projectId: project, release: '1.0', dist: '' })).toHaveLength(0);
    expect(await findBundlesByReleaseUrl(t.db, { organizationId: org, projectId: t.projects.api, release: '1.0', dist: 'android', urls: ['~/b0/f1.js'] })).toEqual(
      [],
    );
    const [debugRow] = await t.db.selectFrom('debug_id_artifact_bundle').select('debug_id').limit(1).execute();
    const byDebugId = await findBundlesByDebugId(t.db, { organizationId: org, projectId: project, debugId: debugRow?.debug_id ?? '', sourceFileTypes: [3] });
    expect(byDebugId).toHaveLength(1);
  });
});
