import { ARTIFACT_INDEX_FILENAME, FILE_TYPES, releaseFileBasename, releaseFileIdent } from './releaseFileIdent.js';

describe('releaseFileIdent', () => {
  it.each<[string, string | null | undefined, string]>([
    ['~/index.js', undefined, 'ef416c0602e98094e1468d40e12e7daedfb82616'],
    ['~/index.js', 'android', 'a80c453752e72bee29a2c3e1df5beda79ab24e95'],
    ['artifact-index.json', null, 'f7dbf6a2e1a7df89d02cee0f431f2eed0cf8c7f2'],
    ['artifact-index.json', 'android', '06196c6a7c454bbe781453006a9f4763b9d7f705'],
  ])('ident of %s with dist %s', (name, dist, expected) => {
    expect(releaseFileIdent(name, dist)).toBe(expected);
  });

  it('treats an empty dist as no dist', () => {
    expect(releaseFileIdent('~/index.js', '')).toBe('ef416c0602e98094e1468d40e12e7daedfb82616');
  });

  it('hashes UTF-8 bytes (vectors computed with Python hashlib)', () => {
    expect(releaseFileIdent('\u00e9')).toBe('bf15be717ac1b080b4f1c456692825891ff5073d');
    expect(releaseFileIdent('~/\u00e9.js', '\u00fc')).toBe('f8d827ebe156bbae91f6983c49c62e16c884133e');
  });

  it('uses the index name and file types of Sentry', () => {
    expect(ARTIFACT_INDEX_FILENAME).toBe('artifact-index.json');
    expect(FILE_TYPES).toEqual({
      releaseBundle: 'release.bundle',
      releaseFile: 'release.file',
      artifactIndex: 'release.artifact-index',
      artifactBundle: 'artifact.bundle',
    });
  });
});

describe('releaseFileBasename', () => {
  it.each([
    ['~/a/b/app.js', 'app.js'],
    ['~/index.js', 'index.js'],
    ['http://example.com/foo.js?bar', 'foo.js?bar'],
    ['app.js', 'app.js'],
    ['~/dir/', ''],
  ])('%s -> %j', (url, expected) => {
    expect(releaseFileBasename(url)).toBe(expected);
  });
});
