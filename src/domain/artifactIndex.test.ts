import { createHash } from 'node:crypto';
import {
  artifactIndexCount,
  buildArtifactIndexEntries,
  formatIndexTimestamp,
  mergeArtifactIndex,
  parseArtifactIndex,
  removeFromArtifactIndex,
  serializeArtifactIndex,
  type ArtifactIndexDocument,
} from './artifactIndex.js';
import { AppError } from './errors.js';
import type { ManifestFile } from './manifest.js';
import { releaseFileIdent } from './releaseFileIdent.js';

// Sentry's test_releasefile.py: every archive is stamped 2021-06-11T09:13:01.317902Z.
const ARCHIVE_TIME = new Date('2021-06-11T09:13:01.317902Z');
const SHA1 = {
  foo: '0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33',
  bar: '62cdb7020ff920e5aa642c3d4066950dd1f01f4d',
  bazaa: '1a74885aa2771a6a0edcc80dbd0cf396dfaf1aab',
  BAR: 'a5d5c1bba91fdb6c669e1ae0413820885bbfc455',
  zapz: 'a7a9c12205f9cb1f53f8b6678265c9e8158f2a8f',
};

function manifestFile(key: string, url: string | null, more: Partial<ManifestFile> = {}): ManifestFile {
  return { key, url, type: null, headers: {}, extra: {}, ...more };
}

/** What the worker does per member: hash the member's bytes. */
function archiveEntries(members: Record<string, string>, archiveIdent: string) {
  const files = Object.entries(members).map(([name, content]) => ({
    manifest: manifestFile(name, `fake://${name}`),
    sha1: createHash('sha1').update(content).digest('hex'),
    size: Buffer.byteLength(content),
  }));
  return buildArtifactIndexEntries(files, archiveIdent, ARCHIVE_TIME);
}

describe('formatIndexTimestamp', () => {
  it('writes ISO-8601 UTC with microseconds', () => {
    expect(formatIndexTimestamp(ARCHIVE_TIME)).toBe('2021-06-11T09:13:01.317000Z');
    expect(formatIndexTimestamp(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('2024-01-02T03:04:05.006000Z');
  });
});

describe('artifact index lifecycle (Sentry test_multi_archive)', () => {
  const archive1 = releaseFileIdent('release-artifacts-1.zip');
  const archive2 = releaseFileIdent('release-artifacts-2.zip');

  it('starts with nothing to delete', () => {
    expect(removeFromArtifactIndex(null, 'foo')).toEqual({ document: { files: {} }, removed: false });
  });

  it('adds, replaces per URL, keeps the rest, and deletes', () => {
    const first = mergeArtifactIndex(null, archiveEntries({ foo: 'foo', bar: 'bar', baz: 'bazaa' }, archive1));
    expect(first.changed).toBe(true);
    expect(first.document.files).toEqual({
      'fake://foo': { archive_ident: archive1, date_created: '2021-06-11T09:13:01.317000Z', filename: 'foo', sha1: SHA1.foo, size: 3 },
      'fake://bar': { archive_ident: archive1, date_created: '2021-06-11T09:13:01.317000Z', filename: 'bar', sha1: SHA1.bar, size: 3 },
      'fake://baz': { archive_ident: archive1, date_created: '2021-06-11T09:13:01.317000Z', filename: 'baz', sha1: SHA1.bazaa, size: 5 },
    });

    const second = mergeArtifactIndex(first.document, archiveEntries({ foo: 'foo', bar: 'BAR', zap: 'zapz' }, archive2));
    expect(second.changed).toBe(true);
    const files = second.document.files;
    expect(Object.keys(files).sort()).toEqual(['fake://bar', 'fake://baz', 'fake://foo', 'fake://zap']);
    // foo has identical content but still moves to the newer archive: no comparison by hash or date.
    expect(files['fake://foo']).toMatchObject({ archive_ident: archive2, sha1: SHA1.foo });
    expect(files['fake://bar']).toMatchObject({ archive_ident: archive2, sha1: SHA1.BAR, size: 3 });
    expect(files['fake://baz']).toMatchObject({ archive_ident: archive1, sha1: SHA1.bazaa, size: 5 });
    expect(files['fake://zap']).toMatchObject({ archive_ident: archive2, sha1: SHA1.zapz, size: 4, filename: 'zap' });
    expect(artifactIndexCount(second.document)).toBe(4);
    // The merge returns a new document.
    expect(artifactIndexCount(first.document)).toBe(3);

    const deleted = removeFromArtifactIndex(second.document, 'fake://foo');
    expect(deleted.removed).toBe(true);
    expect(Object.keys(deleted.document.files).sort()).toEqual(['fake://bar', 'fake://baz', 'fake://zap']);
    expect(removeFromArtifactIndex(deleted.document, 'fake://foo').removed).toBe(false);
  });

  it('keeps one index per dist (different idents)', () => {
    expect(releaseFileIdent('artifact-index.json')).not.toBe(releaseFileIdent('artifact-index.json', 'foo'));
  });

  it('carries the member sha1 that a standalone release file of the same content has (test_same_sha)', () => {
    const entries = archiveEntries({ foo: 'bar' }, archive1);
    const standaloneFileChecksum = createHash('sha1').update(Buffer.from('bar')).digest('hex');
    expect(entries['fake://foo']?.sha1).toBe(standaloneFileChecksum);
  });
});

describe('buildArtifactIndexEntries', () => {
  it('copies type, headers and extras of the manifest entry, but not its url', () => {
    const manifest = manifestFile('files/_/_/index.js', '~/index.js', {
      type: 'minified_source',
      headers: { Sourcemap: 'index.js.map' },
      extra: { note: 'x' },
    });
    const entries = buildArtifactIndexEntries([{ manifest, sha1: SHA1.foo, size: 3 }], 'ident', ARCHIVE_TIME);
    expect(entries).toEqual({
      '~/index.js': {
        note: 'x',
        type: 'minified_source',
        headers: { Sourcemap: 'index.js.map' },
        archive_ident: 'ident',
        date_created: '2021-06-11T09:13:01.317000Z',
        filename: 'files/_/_/index.js',
        sha1: SHA1.foo,
        size: 3,
      },
    });
  });

  it('lets computed fields win over same-named manifest extras', () => {
    const manifest = manifestFile('a', '~/a', { extra: { sha1: 'stale', size: 99, filename: 'x', archive_ident: 'y' } });
    const entry = buildArtifactIndexEntries([{ manifest, sha1: SHA1.bar, size: 3 }], 'ident', ARCHIVE_TIME)['~/a'];
    expect(entry).toMatchObject({ sha1: SHA1.bar, size: 3, filename: 'a', archive_ident: 'ident' });
  });

  it('lets the later entry win when a manifest repeats a URL', () => {
    const entries = buildArtifactIndexEntries(
      [
        { manifest: manifestFile('a1', '~/a'), sha1: SHA1.foo, size: 3 },
        { manifest: manifestFile('a2', '~/a'), sha1: SHA1.bar, size: 3 },
      ],
      'ident',
      ARCHIVE_TIME,
    );
    expect(Object.keys(entries)).toEqual(['~/a']);
    expect(entries['~/a']).toMatchObject({ filename: 'a2', sha1: SHA1.bar });
  });

  it('keeps a URL named __proto__ as an ordinary key', () => {
    const entries = buildArtifactIndexEntries([{ manifest: manifestFile('p', '__proto__'), sha1: SHA1.foo, size: 3 }], 'i', ARCHIVE_TIME);
    expect(Object.keys(entries)).toEqual(['__proto__']);
    const merged = mergeArtifactIndex(null, entries).document;
    expect(Object.keys(merged.files)).toEqual(['__proto__']);
    expect(Object.keys(parseArtifactIndex(serializeArtifactIndex(merged)).files)).toEqual(['__proto__']);
  });

  it('refuses an entry without a url', () => {
    expect(() => buildArtifactIndexEntries([{ manifest: manifestFile('a', null), sha1: SHA1.foo, size: 3 }], 'i', ARCHIVE_TIME)).toThrow(
      'the bundle is invalid: manifest entry "a" has no url',
    );
  });
});

describe('mergeArtifactIndex', () => {
  const entries = archiveEntries({ foo: 'foo' }, 'ident-1');

  it('marks a fresh index as changed even with no entries', () => {
    expect(mergeArtifactIndex(null, {})).toEqual({ document: { files: {} }, changed: true });
  });

  it('reports no change when the index already holds exactly these entries', () => {
    const current = parseArtifactIndex(serializeArtifactIndex(mergeArtifactIndex(null, entries).document));
    const again = mergeArtifactIndex(current, archiveEntries({ foo: 'foo' }, 'ident-1'));
    expect(again.changed).toBe(false);
    expect(again.document).toEqual(current);
  });

  it('reports a change when only the archive differs', () => {
    const current = mergeArtifactIndex(null, entries).document;
    expect(mergeArtifactIndex(current, archiveEntries({ foo: 'foo' }, 'ident-2')).changed).toBe(true);
  });

  it('does not modify the current document', () => {
    const current: ArtifactIndexDocument = { files: {} };
    mergeArtifactIndex(current, entries);
    expect(current).toEqual({ files: {} });
  });
});

describe('parse/serializeArtifactIndex', () => {
  it('round-trips a document', () => {
    const document = mergeArtifactIndex(null, archiveEntries({ foo: 'foo', bar: 'bar' }, 'ident')).document;
    const bytes = serializeArtifactIndex(document);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(document);
    expect(parseArtifactIndex(bytes)).toEqual(document);
  });

  it('reads an index without files as empty and accepts millisecond dates', () => {
    expect(parseArtifactIndex(Buffer.from('{}'))).toEqual({ files: {} });
    const doc = { files: { '~/a': { archive_ident: 'i', date_created: '2021-06-11T09:13:01.317Z', filename: 'a', sha1: 's', size: 1 } } };
    expect(parseArtifactIndex(Buffer.from(JSON.stringify(doc)))).toEqual(doc);
  });

  it.each([
    ['{"files":', 'it is not valid UTF-8 JSON'],
    ['[]', 'it is not a JSON object'],
    ['{"files":[]}', '"files" is not an object'],
    ['{"files":{"~/a":1}}', 'the entry for "~/a" is not an object'],
    ['{"files":{"~/a":{"archive_ident":"i","date_created":"d","filename":"a","sha1":"s"}}}', 'the entry for "~/a" has no number "size"'],
    ['{"files":{"~/a":{"date_created":"d","filename":"a","sha1":"s","size":1}}}', 'the entry for "~/a" has no string "archive_ident"'],
  ])('treats %s as corruption', (raw, reason) => {
    let error: unknown;
    try {
      parseArtifactIndex(Buffer.from(raw));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('internal');
    expect((error as AppError).message).toBe(`the artifact index is corrupt: ${reason}`);
  });
});
