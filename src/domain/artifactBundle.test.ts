import {
  NO_DEBUG_IDS_OR_RELEASE_MESSAGE,
  collectDebugIds,
  lenientBundleLinks,
  mergeBundleLinks,
  planArtifactBundle,
  resolveBundleLinks,
} from './artifactBundle.js';
import { debugIdFromChecksum } from './debugId.js';
import { AppError } from './errors.js';
import type { BundleManifest, ManifestFile } from './manifest.js';

const CHECKSUM = '9f112449d1ec2a8747b9ab78cb2e2d72dd1fd287';

function file(key: string, over: Partial<ManifestFile> = {}): ManifestFile {
  return { key, url: `~/${key}`, type: 'minified_source', headers: {}, extra: {}, ...over };
}

function manifest(over: Partial<BundleManifest> = {}): BundleManifest {
  return { org: 'acme', release: null, dist: null, project: null, debugId: null, files: [], ...over };
}

/** Reference fixture F2: two good debug-id files, two invalid ids, a typo'd type and an untyped file. */
const F2 = manifest({
  debugId: '67429b2f-1d9e-43bb-a626-771a1e37555c',
  files: [
    file('a.js', { type: 'minified_source', headers: { 'debug-id': 'Eb6e60f1-65ff-4f6f-Adff-f1bbeDEd627b' } }),
    file('a.js.map', { type: 'source_map', headers: { 'Debug-Id': 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b' } }),
    file('b.js', { type: 'minified_source', headers: { 'debug-id': 'Eb6e60f1asd1bbeDEd627b-1232xwzsd' } }),
    file('b.js.map', { type: 'source_map', headers: { 'debug-id': 'nope' } }),
    file('c.js', { type: 'soure', headers: { 'debug-id': '11111111-1111-1111-1111-111111111111' } }),
    file('d.js', { type: null, headers: { 'debug-id': '22222222-2222-2222-2222-222222222222' } }),
  ],
});

describe('planArtifactBundle', () => {
  it('takes the bundle id from the manifest debug_id and keeps one row per (debug id, type) (scenarios 11, 15)', () => {
    const plan = planArtifactBundle(F2, CHECKSUM);
    expect(plan.bundleId).toBe('67429b2f-1d9e-43bb-a626-771a1e37555c');
    expect(plan.artifactCount).toBe(6);
    expect(plan.debugIds).toEqual([
      { debugId: 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b', sourceFileType: 2 },
      { debugId: 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b', sourceFileType: 3 },
    ]);
  });

  it('derives a deterministic bundle id from the checksum when the manifest has none or an invalid one', () => {
    expect(planArtifactBundle(manifest({ files: [file('x.js')] }), CHECKSUM).bundleId).toBe(debugIdFromChecksum(CHECKSUM));
    expect(planArtifactBundle(manifest({ debugId: 'garbage' }), CHECKSUM).bundleId).toBe('9f112449-d1ec-2a87-47b9-ab78cb2e2d72');
  });

  it('normalises the manifest debug id and drops its appendix', () => {
    expect(planArtifactBundle(manifest({ debugId: '67429B2F1D9E43BBA626771A1E37555C-a' }), CHECKSUM).bundleId).toBe(
      '67429b2f-1d9e-43bb-a626-771a1e37555c',
    );
  });

  it('indexes each URL once and skips entries without one', () => {
    const plan = planArtifactBundle(
      manifest({ files: [file('a.js'), file('dup.js', { url: '~/a.js' }), file('nourl.js', { url: null })] }),
      CHECKSUM,
    );
    expect(plan.urls).toEqual(['~/a.js']);
    expect(plan.artifactCount).toBe(3);
  });

  it('treats an empty manifest release or dist as none and refuses ones too long to store', () => {
    const plan = planArtifactBundle(manifest({ release: '', dist: null }), CHECKSUM);
    expect([plan.manifestRelease, plan.manifestDist]).toEqual([null, null]);
    expect(() => planArtifactBundle(manifest({ release: 'r'.repeat(251) }), CHECKSUM)).toThrow(/the bundle is invalid/);
  });

  it('collects no debug ids from files without the header', () => {
    expect(collectDebugIds(manifest({ files: [file('a.js')] }))).toEqual([]);
  });
});

describe('resolveBundleLinks', () => {
  const facts = { manifestRelease: '1.0', manifestDist: 'android', hasDebugIds: true };

  it('prefers the request version and dist, falling back to the manifest for each', () => {
    expect(resolveBundleLinks({ version: '2.0', dist: 'ios', projectIds: ['1'] }, facts).release).toEqual({ name: '2.0', dist: 'ios' });
    expect(resolveBundleLinks({ version: '2.0', projectIds: ['1'] }, facts).release).toEqual({ name: '2.0', dist: 'android' });
    expect(resolveBundleLinks({ projectIds: ['1'] }, facts).release).toEqual({ name: '1.0', dist: 'android' });
  });

  it("uses '' for no dist and no release link without a release (debug ids only)", () => {
    const none = { manifestRelease: null, manifestDist: null, hasDebugIds: true };
    expect(resolveBundleLinks({ version: '1.0', projectIds: ['1'] }, none).release).toEqual({ name: '1.0', dist: '' });
    expect(resolveBundleLinks({ projectIds: ['1'] }, none).release).toBeNull();
  });

  it('refuses a bundle with neither debug ids nor a release, with Sentry’s message', () => {
    const bare = { manifestRelease: null, manifestDist: null, hasDebugIds: false };
    expect(() => resolveBundleLinks({ projectIds: ['1'] }, bare)).toThrow(new AppError('debug_ids_or_release_required', NO_DEBUG_IDS_OR_RELEASE_MESSAGE));
    expect(lenientBundleLinks({ projectIds: ['2', '1'] }, bare)).toEqual({ release: null, projectIds: ['1', '2'] });
  });

  it('orders and de-duplicates project ids numerically', () => {
    expect(resolveBundleLinks({ projectIds: ['10', '9', '10'] }, facts).projectIds).toEqual(['9', '10']);
  });
});

describe('mergeBundleLinks', () => {
  it('adds links of several requests: every release/dist pair and every project once', () => {
    const merged = mergeBundleLinks([
      { release: { name: '1.0', dist: 'android' }, projectIds: ['1'] },
      { release: { name: '1.0', dist: 'ios' }, projectIds: ['2'] },
      { release: { name: '1.0', dist: 'android' }, projectIds: ['1'] },
      { release: null, projectIds: ['3'] },
    ]);
    expect(merged).toEqual({
      releases: [
        { name: '1.0', dist: 'android' },
        { name: '1.0', dist: 'ios' },
      ],
      projectIds: ['1', '2', '3'],
    });
  });
});
