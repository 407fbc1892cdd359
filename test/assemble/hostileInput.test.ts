import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { storeChunks } from '../../src/adapters/files/index.js';
import { ASSEMBLE_TASK } from '../../src/domain/assembleStatus.js';
import { ASSEMBLE_JOB, releaseBundleJobId } from '../../src/jobs/assembleJobs.js';
import { enqueueAssembleJob } from '../../src/jobs/assembleProducer.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { AssembleHarness } from '../support/assembleHarness.js';
import { buildBundle, patchZipMember, sha1, type BundleFile } from '../support/bundles.js';

const GOOD: BundleFile[] = [{ path: 'files/_/_/a.js', url: '~/a.js', content: 'console.log(1)' }];
const VERSION = '2.0.0';

describe('hostile input ends as a clean error, stores nothing and leaves no temp files', () => {
  let h: AssembleHarness;
  let releaseId: string;

  beforeAll(async () => {
    h = await AssembleHarness.create();
    releaseId = (await h.createRelease(VERSION)).id;
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(async () => {
    h.settings.bundleLimits.maxBundleFiles = 20_000;
    h.settings.bundleLimits.maxBundleUncompressedBytes = 2 ** 32;
    h.settings.maxFileSize = 2 ** 31;
    expect(await h.artifacts(releaseId)).toEqual([]);
    expect(await h.count('file')).toBe(0);
    expect(await h.count('release_file')).toBe(0);
    expect(await h.tempEntries()).toEqual([]);
  });

  async function expectError(bundle: Buffer, detail: string | RegExp) {
    const status = await h.assemble(bundle, VERSION);
    expect(status.state).toBe('error');
    if (typeof detail === 'string') expect(status.detail).toBe(detail);
    else expect(status.detail).toMatch(detail);
  }

  it('not a zip', () => expectError(Buffer.from('invalid'), /^the bundle is invalid: not a readable zip archive/));

  it('a truncated zip', async () => {
    const bundle = await buildBundle({ release: VERSION, files: GOOD });
    await expectError(bundle.subarray(0, Math.floor(bundle.length / 2)), /^the bundle is invalid: not a readable zip/);
  });

  it('a zip without manifest.json', async () => {
    const bundle = await buildBundle({ release: VERSION, files: GOOD });
    const renamed = Buffer.from(bundle.toString('latin1').replaceAll('manifest.json', 'manifest.jsno'), 'latin1');
    await expectError(renamed, 'the bundle is invalid: manifest.json is missing');
  });

  it('a manifest that is not JSON', () =>
    buildBundle({ release: VERSION, files: GOOD, rawManifest: '{"files": ' }).then((b) => expectError(b, /^the bundle is invalid: .*JSON/)));

  it('a manifest that is not an object', () =>
    buildBundle({ release: VERSION, files: GOOD, rawManifest: '[1,2]' }).then((b) => expectError(b, /^the bundle is invalid: .*object/)));

  it('a manifest key with ".."', async () => {
    const bundle = await buildBundle({
      release: VERSION,
      files: GOOD,
      rawManifest: JSON.stringify({ org: 'acme', release: VERSION, files: { 'files/../../etc/passwd': { url: '~/p' } } }),
    });
    await expectError(bundle, /^the bundle is invalid: .*"files\/\.\.\/\.\.\/etc\/passwd".*\.\./);
  });

  it('an absolute manifest key', async () => {
    const bundle = await buildBundle({
      release: VERSION,
      files: GOOD,
      rawManifest: JSON.stringify({ org: 'acme', release: VERSION, files: { '/etc/passwd': { url: '~/p' } } }),
    });
    await expectError(bundle, /^the bundle is invalid: .*"\/etc\/passwd".*absolute/);
  });

  it('a manifest key missing from the zip', async () => {
    const bundle = await buildBundle({
      release: VERSION,
      files: GOOD,
      rawManifest: JSON.stringify({ org: 'acme', release: VERSION, files: { 'files/_/_/ghost.js': { url: '~/ghost.js' } } }),
    });
    await expectError(bundle, /^the bundle is invalid: .*"files\/_\/_\/ghost\.js".*missing/);
  });

  it('a manifest entry without url', async () => {
    const bundle = await buildBundle({
      release: VERSION,
      files: GOOD,
      rawManifest: JSON.stringify({ org: 'acme', release: VERSION, files: { 'files/_/_/a.js': { type: 'source' } } }),
    });
    await expectError(bundle, /^the bundle is invalid: .*"files\/_\/_\/a\.js".*url/);
  });

  // Postgres stores no NUL: each is a permanent error naming the field, at the first attempt, never five retries
  it.each([
    ['url', { url: '~/a\u0000.js' }, 'manifest entry "files/_/_/a.js" "url" contains a NUL character'],
    ['header', { url: '~/a.js', headers: { Sourcemap: 'a.js\u0000.map' } }, 'manifest entry "files/_/_/a.js" "headers.Sourcemap" contains a NUL character'],
    ['header name', { url: '~/a.js', headers: { 'x\u0000': 'v' } }, 'manifest entry "files/_/_/a.js" "headers["x\\u0000"]" contains a NUL character'],
  ])('a NUL in a manifest %s', async (_what, entry, reason) => {
    const rawManifest = JSON.stringify({ org: 'acme', release: VERSION, files: { 'files/_/_/a.js': entry } });
    await expectError(await buildBundle({ release: VERSION, files: GOOD, rawManifest }), `the bundle is invalid: ${reason}`);
  });

  it('a NUL in the manifest dist', async () => {
    const rawManifest = JSON.stringify({ org: 'acme', release: VERSION, dist: 'd\u0000', files: { 'files/_/_/a.js': { url: '~/a.js' } } });
    await expectError(await buildBundle({ release: VERSION, files: GOOD, rawManifest }), 'the bundle is invalid: manifest "dist" contains a NUL character');
  });

  it('a symlink entry', () =>
    buildBundle({ release: VERSION, files: GOOD, extraEntries: [{ path: 'files/_/_/link.js', content: '/etc/passwd', mode: 0o120777 }] }).then((b) =>
      expectError(b, 'the bundle is invalid: entry "files/_/_/link.js" is a symbolic link'),
    ));

  it('an entry that inflates beyond its declared size (zip bomb)', async () => {
    const bomb = { path: 'files/_/_/bomb.js', url: '~/bomb.js', content: 'A'.repeat(1_000_000) };
    const bundle = patchZipMember(await buildBundle({ release: VERSION, files: [bomb] }), 'files/_/_/bomb.js', { uncompressedSize: 1000 });
    await expectError(bundle, 'the bundle is invalid: entry "files/_/_/bomb.js" inflates beyond its declared size of 1000 bytes');
  });

  describe('a member whose CRC-32 does not match its bytes (Python\'s zipfile, which Sentry uses, refuses it)', () => {
    const tenFiles = (big?: number): BundleFile[] =>
      Array.from({ length: 10 }, (_, i) => ({
        path: `files/_/_/m${i}.js`,
        url: `~/m${i}.js`,
        content: i === big ? randomBytes(1_200_000).toString('base64') : `console.log(${i});`.repeat(50),
      }));
    const badCrc = (member: string) => `the bundle is invalid: entry "${member}" has a bad CRC-32`;

    it('stored as single files', async () => {
      const bundle = patchZipMember(await buildBundle({ release: VERSION, files: GOOD }), 'files/_/_/a.js', { flipCrc32: true });
      await expectError(bundle, badCrc('files/_/_/a.js'));
    });

    it('stored as an archive, a small member (inflated in one call)', async () => {
      const bundle = patchZipMember(await buildBundle({ release: VERSION, files: tenFiles() }), 'files/_/_/m3.js', { flipCrc32: true });
      await expectError(bundle, badCrc('files/_/_/m3.js'));
    });

    it('stored as an archive, a member above the one-shot size (streamed)', async () => {
      const bundle = patchZipMember(await buildBundle({ release: VERSION, files: tenFiles(7) }), 'files/_/_/m7.js', { flipCrc32: true });
      await expectError(bundle, badCrc('files/_/_/m7.js'));
    });

    it('the manifest', async () => {
      const bundle = patchZipMember(await buildBundle({ release: VERSION, files: GOOD }), 'manifest.json', { flipCrc32: true });
      await expectError(bundle, badCrc('manifest.json'));
    });

    it('fails at once, without retries', async () => {
      const files = [{ ...GOOD[0]!, content: 'console.log("once")' }];
      const bundle = patchZipMember(await buildBundle({ release: VERSION, files }), 'files/_/_/a.js', { flipCrc32: true });
      const uploaded = await h.upload(bundle);
      await h.request(VERSION, uploaded.checksum, uploaded.chunks);
      expect(await h.waitForStatus(uploaded.checksum)).toEqual({ state: 'error', detail: badCrc('files/_/_/a.js') });
      const job = await h.queue.getJob(releaseBundleJobId({ organizationId: h.organization.id, checksum: uploaded.checksum, version: VERSION }));
      expect(await job?.getState()).toBe('failed');
      expect(job?.attemptsMade).toBe(1);
    });
  });

  it('an encrypted entry', async () => {
    const bundle = patchZipMember(await buildBundle({ release: VERSION, files: GOOD }), 'files/_/_/a.js', { setEncryptedFlag: true });
    await expectError(bundle, 'the bundle is invalid: entry "files/_/_/a.js" is encrypted');
  });

  it('more entries than MAX_BUNDLE_FILES', async () => {
    h.settings.bundleLimits.maxBundleFiles = 3;
    const files = [1, 2, 3].map((i) => ({ path: `files/_/_/${i}.js`, url: `~/${i}.js`, content: `${i}` }));
    await expectError(await buildBundle({ release: VERSION, files }), 'the bundle is invalid: it has 4 entries, more than the limit of 3');
  });

  it('more uncompressed bytes than MAX_BUNDLE_UNCOMPRESSED_BYTES', async () => {
    h.settings.bundleLimits.maxBundleUncompressedBytes = 10_000;
    const files = [{ path: 'files/_/_/big.js', url: '~/big.js', content: 'x'.repeat(20_000) }];
    await expectError(await buildBundle({ release: VERSION, files }), 'the bundle is invalid: its entries inflate to more than the limit of 10000 bytes');
  });

  it('a bundle larger than MAX_FILE_SIZE, counting repeated chunks', async () => {
    h.settings.maxFileSize = 100;
    const bundle = await buildBundle({ release: VERSION, files: GOOD });
    await expectError(bundle, new RegExp(`^File release-artifacts-[0-9a-f]{40}\\.zip exceeds maximum size \\(${bundle.length} > 100\\)$`));
  });

  async function enqueueDirectly(checksum: string, chunks: string[]) {
    const payload = { organizationId: h.organization.id, version: VERSION, checksum, chunks };
    // Identical bytes share a status key (as in Sentry): forget what an earlier test left under it.
    await h.statusStore.delete({ scope: payload.organizationId, checksum, task: ASSEMBLE_TASK.releaseBundle });
    await enqueueAssembleJob(h.queue, ASSEMBLE_JOB.releaseBundle, payload, releaseBundleJobId(payload));
    return h.waitForStatus(checksum);
  }

  it('a chunk list with a missing chunk', async () => {
    const uploaded = await h.upload(await buildBundle({ release: VERSION, files: GOOD }));
    const status = await enqueueDirectly(uploaded.checksum, [...uploaded.chunks, sha1('not uploaded')]);
    expect(status).toEqual({ state: 'error', detail: 'Not all chunks available for assembling' });
  });

  it('a chunk owned by another organisation', async () => {
    const other = await createOrganization(h.orgDeps(), { name: 'Other', slug: 'other-org' });
    const bundle = await buildBundle({ release: VERSION, files: [{ path: 'files/_/_/o.js', url: '~/o.js', content: randomBytes(64).toString('hex') }] });
    const uploaded = await storeChunks({ db: h.db, blobs: h.blobs }, other.id, Readable.from([bundle]));
    await expect(h.request(VERSION, uploaded.checksum, uploaded.chunks)).resolves.toMatchObject({ state: 'error', missingChunks: uploaded.chunks });
    const status = await enqueueDirectly(uploaded.checksum, uploaded.chunks);
    expect(status).toEqual({ state: 'error', detail: 'Not all chunks available for assembling' });
    await h.db.deleteFrom('file_blob_owner').execute();
  });

  it('a wrong total checksum', async () => {
    const uploaded = await h.upload(await buildBundle({ release: VERSION, files: [{ path: 'files/_/_/c.js', url: '~/c.js', content: 'checksum test' }] }));
    const status = await enqueueDirectly('a'.repeat(40), uploaded.chunks);
    expect(status).toEqual({ state: 'error', detail: 'Reported checksum mismatch' });
  });

  it('an invalid payload enqueued by another service fails at once with a clear reason and no retries', async () => {
    const job = await h.queue.add(ASSEMBLE_JOB.releaseBundle, { organizationId: 'x', checksum: 'nope', chunks: [] } as never, {
      jobId: 'invalid-payload-test',
      attempts: 3,
    });
    const deadline = Date.now() + 15_000;
    while ((await job.getState()) !== 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const failed = await h.queue.getJob('invalid-payload-test');
    expect(await failed?.getState()).toBe('failed');
    expect(failed?.failedReason).toMatch(/^invalid release-bundle payload: organizationId .*; version .*; checksum .*; chunks /);
    expect(failed?.attemptsMade).toBe(1);
  });
});
