import {
  lookupMatchKey,
  membersWithDebugId,
  membersWithUrl,
  mergeLookupFindings,
  orderReleaseFiles,
  planArtifactLookup,
  type BundleListing,
  type BundleRef,
  type ReleaseFileRef,
} from './artifactLookup.js';
import { isAppError } from './errors.js';
import type { BundleManifest, ManifestFile } from './manifest.js';

const DEBUG_ID = 'eb6e60f1-65ff-4f6f-adff-f1bbeded627b';

function file(key: string, url: string | null, headers: Record<string, string> = {}, type = 'minified_source'): ManifestFile {
  return { key, url, type, headers, extra: {} };
}

function manifest(files: ManifestFile[]): BundleManifest {
  return { org: 'acme', release: null, dist: null, project: null, debugId: null, files };
}

function bundle(id: string): BundleRef {
  return { artifactBundleId: id, bundleId: DEBUG_ID, checksum: id.padStart(40, '0'), artifactCount: 2, size: 100, dateAdded: new Date(0) };
}

function releaseFile(id: string, name: string, storedAs: 'archive' | 'file'): ReleaseFileRef {
  return { id, name, dist: null, sha1: 'x', size: 1, headers: {}, storedAs };
}

function refused(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (isAppError(err, 'validation_failed')) return err.message;
    throw err;
  }
  throw new Error('not refused');
}

describe('planArtifactLookup', () => {
  it('normalises the debug id to its UUID part, whatever its spelling', () => {
    expect(planArtifactLookup({ debugId: 'EB6E60F165FF4F6FADFFF1BBEDED627B' }).debugId).toBe(DEBUG_ID);
    expect(planArtifactLookup({ debugId: `${DEBUG_ID.toUpperCase()}-1a` }).debugId).toBe(DEBUG_ID);
  });

  it('refuses a malformed debug id, a dist without a release, and a query that could match nothing', () => {
    expect(refused(() => planArtifactLookup({ debugId: 'Eb6e60f1asd1bbeDEd627b-1232xwzsd' }))).toBe('debug_id is not a valid debug id');
    expect(refused(() => planArtifactLookup({ debugId: DEBUG_ID, dist: 'web' }))).toBe('dist needs a release');
    expect(refused(() => planArtifactLookup({}))).toBe('Provide a debug_id or a release');
    expect(refused(() => planArtifactLookup({ url: 'http://x/app.js' }))).toBe('Provide a debug_id or a release');
  });

  it('takes the URL candidates of Sentry’s normalize: exact first, then without query, then `~`', () => {
    expect(planArtifactLookup({ release: '1.0', url: 'http://example.com/foo.js?bar#baz' })).toEqual({
      debugId: null,
      release: { name: '1.0', dist: '' },
      urlCandidates: ['http://example.com/foo.js?bar', 'http://example.com/foo.js', '~/foo.js?bar', '~/foo.js'],
    });
    expect(planArtifactLookup({ release: '1.0', dist: 'web', url: '~/a.js' })).toEqual({
      debugId: null,
      release: { name: '1.0', dist: 'web' },
      urlCandidates: ['~/a.js'],
    });
    expect(planArtifactLookup({ release: '1.0', url: '~/a.js?v=2' }).urlCandidates).toEqual(['~/a.js?v=2', '~/a.js']);
  });
});

describe('bundle members', () => {
  const m = manifest([
    file('files/_/_/a.js', '~/a.js', { 'Debug-Id': DEBUG_ID.toUpperCase() }),
    file('files/_/_/a.js.map', '~/a.js.map', { 'debug-id': DEBUG_ID }, 'source_map'),
    file('files/x/a.js', 'http://x/a.js'),
    file('files/_/_/b.js', '~/b.js', { 'debug-id': 'not a debug id' }),
    file('files/_/_/a-again.js', '~/a.js'),
    file('files/_/_/none', null),
  ]);

  it('by debug id: every file whose header normalises to it, in manifest order', () => {
    expect(membersWithDebugId(m, DEBUG_ID).map((f) => f.key)).toEqual(['files/_/_/a.js', 'files/_/_/a.js.map']);
    expect(membersWithDebugId(m, '00000000-0000-0000-0000-000000000000')).toEqual([]);
  });

  it('by URL: the best candidate first; of two entries with one URL the later wins', () => {
    expect(membersWithUrl(m, ['http://x/a.js', '~/a.js']).map((f) => f.key)).toEqual(['files/x/a.js', 'files/_/_/a-again.js']);
    expect(membersWithUrl(m, ['~/missing.js'])).toEqual([]);
  });
});

describe('orderReleaseFiles', () => {
  const files = [releaseFile('1', '~/a.js', 'file'), releaseFile('e1', 'http://x/a.js', 'archive'), releaseFile('e2', '~/a.js', 'archive'), releaseFile('2', '~/b.js', 'file')];

  it('puts artifact-index entries before single files, best URL candidate first, and drops other names', () => {
    expect(orderReleaseFiles(files, ['http://x/a.js', '~/a.js']).map((f) => f.id)).toEqual(['e1', 'e2', '1']);
  });

  it('lists everything by name without a URL', () => {
    expect(orderReleaseFiles(files, []).map((f) => f.id)).toEqual(['e1', 'e2', '1', '2']);
  });
});

describe('mergeLookupFindings', () => {
  const m: BundleListing = {
    manifest: manifest([file('files/_/_/a.js', '~/a.js', { 'debug-id': DEBUG_ID }), file('files/_/_/b.js', '~/b.js')]),
    memberSizes: new Map([
      ['files/_/_/a.js', 12],
      ['files/_/_/b.js', 34],
    ]),
  };
  const plan = { debugId: DEBUG_ID, release: { name: '1.0', dist: '' }, urlCandidates: ['~/a.js'] };

  it('orders debug-id bundles, URL-index bundles, release bundles, archive entries, single files; each thing once', () => {
    const { matches, truncated } = mergeLookupFindings(plan, {
      byDebugId: [{ bundle: bundle('7'), listing: m }],
      byUrl: [
        { bundle: bundle('7'), listing: m },
        { bundle: bundle('5'), listing: m },
      ],
      byRelease: [{ bundle: bundle('3'), listing: null }],
      releaseFiles: [releaseFile('11', '~/a.js', 'file'), releaseFile('ea', '~/a.js', 'archive')],
    });
    expect(truncated).toBe(false);
    expect(matches.map((x) => [x.kind, x.resolvedWith, x.kind === 'release_file' ? x.file.id : x.bundle.artifactBundleId])).toEqual([
      ['bundle', 'debug-id', '7'],
      ['bundle_member', 'debug-id', '7'],
      ['bundle', 'index', '5'],
      ['bundle_member', 'index', '5'],
      ['bundle', 'release', '3'],
      ['release_file', 'release-old', 'ea'],
      ['release_file', 'release-old', '11'],
    ]);
    expect(new Set(matches.map(lookupMatchKey)).size).toBe(matches.length);
  });

  it('gives each member the size its zip directory declares, null for a path the zip lacks', () => {
    const listing: BundleListing = { manifest: m.manifest, memberSizes: new Map([['files/_/_/b.js', 34]]) };
    const { matches } = mergeLookupFindings(
      { ...plan, urlCandidates: ['~/a.js', '~/b.js'] },
      { byDebugId: [], byUrl: [{ bundle: bundle('7'), listing }], byRelease: [], releaseFiles: [] },
    );
    expect(matches.map((x) => (x.kind === 'bundle_member' ? [x.file.key, x.size] : x.kind))).toEqual([
      'bundle',
      ['files/_/_/a.js', null],
      ['files/_/_/b.js', 34],
    ]);
    const byDebugId = mergeLookupFindings(plan, { byDebugId: [{ bundle: bundle('7'), listing: m }], byUrl: [], byRelease: [], releaseFiles: [] });
    expect(byDebugId.matches.map((x) => (x.kind === 'bundle_member' ? x.size : x.kind))).toEqual(['bundle', 12]);
  });

  it('caps the list and says so', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ bundle: bundle(String(i + 1)), listing: m }));
    const { matches, truncated } = mergeLookupFindings({ ...plan, urlCandidates: [] }, { byDebugId: many, byUrl: [], byRelease: [], releaseFiles: [] }, 4);
    expect(matches).toHaveLength(4);
    expect(truncated).toBe(true);
  });

  it('lists no release files without a release', () => {
    const { matches } = mergeLookupFindings({ debugId: DEBUG_ID, release: null, urlCandidates: [] }, {
      byDebugId: [],
      byUrl: [],
      byRelease: [],
      releaseFiles: [releaseFile('1', '~/a.js', 'file')],
    });
    expect(matches).toEqual([]);
  });
});
