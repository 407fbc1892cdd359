import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import unzipper from 'unzipper';
import { projectRoot } from '../config/paths.js';
import { AppError } from './errors.js';
import {
  parseBundleManifest,
  requireUrls,
  validateManifestKeys,
  type BundleManifest,
  type ZipEntryType,
} from './manifest.js';

const FIXTURES = join(projectRoot(), 'test', 'fixtures', 'sentry-cli');
const fixtureManifests = readdirSync(FIXTURES).filter((name) => name.endsWith('.manifest.json'));

function manifestOf(value: unknown): Buffer {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
}

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

function zipOf(entries: Record<string, ZipEntryType>) {
  return new Map(Object.entries(entries).map(([path, type]) => [path, { type, declaredSize: 1 }]));
}

function manifestWithKeys(...keys: string[]): BundleManifest {
  // the url drops NULs so that a key holding one reaches validateManifestKeys (a NUL in a url is refused on parse)
  return parseBundleManifest(manifestOf({ files: Object.fromEntries(keys.map((k) => [k, { url: `~/${k.replaceAll('\u0000', '')}` }])) }));
}

describe('parseBundleManifest', () => {
  it('parses every manifest sentry-cli produced', () => {
    expect(fixtureManifests.length).toBeGreaterThanOrEqual(8);
    for (const name of fixtureManifests) {
      const raw = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { files: Record<string, unknown> };
      const manifest = parseBundleManifest(readFileSync(join(FIXTURES, name)));
      expect(manifest.org).toBe('acme');
      expect(manifest.files.map((f) => f.key)).toEqual(Object.keys(raw.files));
      for (const file of manifest.files) {
        expect(file.url).toMatch(/^(~|app:\/\/)\//);
        expect(['minified_source', 'source_map']).toContain(file.type);
      }
    }
  });

  it('reads the top-level fields and entries of the dist/url-prefix manifest', () => {
    const manifest = parseBundleManifest(readFileSync(join(FIXTURES, '476ccf3e3d416c9403a7d38a9755fa399e22cc7e.manifest.json')));
    expect(manifest).toMatchObject({
      org: 'acme',
      release: '1.0.0',
      dist: 'web-1',
      project: 'web',
      debugId: '220d0df0-cefc-5c3a-a90b-660c738ae9ec',
    });
    expect(manifest.files[0]).toEqual({
      key: 'files/app/_/static/app.js',
      url: 'app:///static/app.js',
      type: 'minified_source',
      headers: { sourcemap: 'app.js.map' },
      extra: {},
    });
    expect(manifest.files[1]?.headers).toEqual({});
  });

  it('has no release for a manifest uploaded without one', () => {
    const manifest = parseBundleManifest(readFileSync(join(FIXTURES, 'f61ec9b94866e7a52cc242efda2e7f4602d100c8.manifest.json')));
    expect(manifest.release).toBeNull();
    expect(manifest.dist).toBeNull();
    expect(manifest.files[0]?.headers['debug-id']).toBe('4b405af9-c116-5f6d-9e2e-84f483a0645a');
  });

  it('keeps header names as given and other entry keys as extras', () => {
    const manifest = parseBundleManifest(
      manifestOf({
        org: 'o',
        files: {
          'files/_/_/index.js': { url: '~/index.js', headers: { Sourcemap: 'index.js.map' }, note: 1, type: 'source' },
        },
      }),
    );
    expect(manifest.files).toEqual([
      { key: 'files/_/_/index.js', url: '~/index.js', type: 'source', headers: { Sourcemap: 'index.js.map' }, extra: { note: 1 } },
    ]);
  });

  it.each([{}, { files: {} }, { files: null }])('reads %j as an empty bundle', (value) => {
    const manifest = parseBundleManifest(manifestOf(value));
    expect(manifest.files).toEqual([]);
    expect(manifest).toMatchObject({ org: null, release: null, dist: null, project: null, debugId: null });
  });

  it('treats an empty dist as no dist', () => {
    expect(parseBundleManifest(manifestOf({ dist: '' })).dist).toBeNull();
  });

  it('accepts a UTF-8 byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), manifestOf({ org: 'acme' })]);
    expect(parseBundleManifest(bytes).org).toBe('acme');
  });

  it('keeps a header called __proto__ as a plain header', () => {
    const manifest = parseBundleManifest(manifestOf('{"files":{"a":{"url":"~/a","headers":{"__proto__":"x"}}}}'));
    const headers = manifest.files[0]?.headers ?? {};
    expect(Object.getOwnPropertyDescriptor(headers, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
  });

  it.each<[string, Buffer, string]>([
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'manifest.json is not valid UTF-8'],
    ['not JSON', manifestOf('{"files": '), 'manifest.json is not valid JSON'],
    ['empty bytes', Buffer.alloc(0), 'manifest.json is not valid JSON'],
    ['an array', manifestOf([]), 'manifest.json must be a JSON object'],
    ['a string', manifestOf('"files"'), 'manifest.json must be a JSON object'],
    ['null', manifestOf('null'), 'manifest.json must be a JSON object'],
    ['files as an array', manifestOf({ files: [] }), 'manifest "files" must be an object'],
    ['files as a string', manifestOf({ files: 'a' }), 'manifest "files" must be an object'],
    ['a numeric release', manifestOf({ release: 1 }), 'manifest "release" must be a string'],
    ['an object org', manifestOf({ org: {} }), 'manifest "org" must be a string'],
    ['a boolean dist', manifestOf({ dist: true }), 'manifest "dist" must be a string'],
    ['a numeric debug_id', manifestOf({ debug_id: 5 }), 'manifest "debug_id" must be a string'],
    ['an entry that is a string', manifestOf({ files: { a: '~/a' } }), 'manifest entry "a" must be an object'],
    ['an entry that is null', manifestOf({ files: { a: null } }), 'manifest entry "a" must be an object'],
    ['a numeric url', manifestOf({ files: { a: { url: 3 } } }), 'manifest entry "a" has a url that is not a string'],
    ['an array type', manifestOf({ files: { a: { type: [] } } }), 'manifest entry "a" has a type that is not a string'],
    ['headers as a list', manifestOf({ files: { a: { headers: ['x'] } } }), 'manifest entry "a" has headers that are not an object'],
    [
      'a numeric header value',
      manifestOf({ files: { a: { headers: { 'Content-Length': 3 } } } }),
      'manifest entry "a" has a header "Content-Length" whose value is not a string',
    ],
  ])('refuses %s with its own message', (_case, bytes, reason) => {
    const err = refusal(() => parseBundleManifest(bytes));
    expect(err.code).toBe('bundle_invalid');
    expect(err.message).toBe(`the bundle is invalid: ${reason}`);
  });
});

describe('validateManifestKeys', () => {
  it('accepts every fixture manifest against the entries of its real zip', async () => {
    const bundles = readdirSync(FIXTURES).filter((name) => name.endsWith('.bundle.zip'));
    expect(bundles.length).toBeGreaterThan(0);
    for (const name of bundles) {
      const directory = await unzipper.Open.file(join(FIXTURES, name));
      const entries = new Map(directory.files.map((f) => [f.path, { type: f.type, declaredSize: f.uncompressedSize }]));
      const manifest = parseBundleManifest(readFileSync(join(FIXTURES, name.replace('.bundle.zip', '.manifest.json'))));
      expect(() => validateManifestKeys(manifest, entries)).not.toThrow();
    }
  });

  it('accepts nested relative paths and dotted names that are not ".."', () => {
    const manifest = manifestWithKeys('files/_/_/a.js', 'files/./b..js', '...');
    expect(() =>
      validateManifestKeys(manifest, zipOf({ 'files/_/_/a.js': 'File', 'files/./b..js': 'File', '...': 'File' })),
    ).not.toThrow();
  });

  it.each<[string, string, string]>([
    ['a parent segment', 'files/../../etc/passwd', 'manifest entry "files/../../etc/passwd" escapes the bundle ("..")'],
    ['a leading parent segment', '../x.js', 'manifest entry "../x.js" escapes the bundle ("..")'],
    ['a trailing parent segment', 'files/..', 'manifest entry "files/.." escapes the bundle ("..")'],
    ['a backslash parent segment', 'files\\..\\x.js', 'manifest entry "files\\\\..\\\\x.js" escapes the bundle ("..")'],
    ['a leading slash', '/x.js', 'manifest entry "/x.js" is an absolute path'],
    ['a drive letter', 'C:\\x.js', 'manifest entry "C:\\\\x.js" is an absolute path'],
    ['a drive letter with a slash', 'c:/x.js', 'manifest entry "c:/x.js" is an absolute path'],
    ['a UNC path', '\\\\server\\share\\x.js', 'manifest entry "\\\\\\\\server\\\\share\\\\x.js" is an absolute path'],
    ['a NUL character', 'x.js\u0000.map', 'manifest entry "x.js\\u0000.map" contains a NUL character'],
    ['an empty key', '', 'manifest entry "" has an empty path'],
  ])('refuses a key with %s before looking in the zip', (_case, key, reason) => {
    // The key is present in the zip: the path shape alone is reason enough.
    const err = refusal(() => validateManifestKeys(manifestWithKeys(key), zipOf({ [key]: 'File' })));
    expect(err.code).toBe('bundle_invalid');
    expect(err.message).toBe(`the bundle is invalid: ${reason}`);
  });

  it('refuses a key that is not in the zip', () => {
    const err = refusal(() => validateManifestKeys(manifestWithKeys('a.js', 'b.js'), zipOf({ 'a.js': 'File' })));
    expect(err.message).toBe('the bundle is invalid: manifest entry "b.js" is missing from the zip');
  });

  it('matches keys exactly (no case folding or slash normalisation)', () => {
    expect(() => validateManifestKeys(manifestWithKeys('A.js'), zipOf({ 'a.js': 'File' }))).toThrow('is missing from the zip');
    expect(() => validateManifestKeys(manifestWithKeys('x//a.js'), zipOf({ 'x/a.js': 'File' }))).toThrow('is missing from the zip');
  });

  it('refuses a key that names a symbolic link', () => {
    const err = refusal(() => validateManifestKeys(manifestWithKeys('link.js'), zipOf({ 'link.js': 'SymbolicLink' })));
    expect(err.message).toBe('the bundle is invalid: manifest entry "link.js" is a symbolic link');
  });

  it('refuses a key that names a directory', () => {
    const err = refusal(() => validateManifestKeys(manifestWithKeys('files/'), zipOf({ 'files/': 'Directory' })));
    expect(err.message).toBe('the bundle is invalid: manifest entry "files/" is a directory');
  });

  it('shortens very long keys in messages', () => {
    const key = `${'a'.repeat(5000)}.js`;
    const err = refusal(() => validateManifestKeys(manifestWithKeys(key), zipOf({})));
    expect(err.message.length).toBeLessThan(300);
    expect(err.message).toMatch(/^the bundle is invalid: manifest entry "a+\.\.\." is missing from the zip$/);
  });

  it('accepts an empty manifest against any zip', () => {
    expect(() => validateManifestKeys(parseBundleManifest(manifestOf({})), zipOf({}))).not.toThrow();
  });
});

describe('requireUrls', () => {
  it('accepts a manifest whose entries all have urls', () => {
    for (const name of fixtureManifests) {
      expect(() => requireUrls(parseBundleManifest(readFileSync(join(FIXTURES, name))))).not.toThrow();
    }
  });

  it.each([{ type: 'source' }, { url: null }, { url: '' }])('refuses an entry %j', (entry) => {
    const manifest = parseBundleManifest(manifestOf({ files: { 'a.js': { url: '~/a.js' }, 'b.js': entry } }));
    const err = refusal(() => requireUrls(manifest));
    expect(err.code).toBe('bundle_invalid');
    expect(err.message).toBe('the bundle is invalid: manifest entry "b.js" has no url');
  });
});
