import { encodeIndexEntryId } from './listReleaseArtifacts.js';
import { parseReleaseFileId } from './releaseFileId.js';

describe('parseReleaseFileId', () => {
  it('reads a decimal id as a release file row', () => {
    expect(parseReleaseFileId('42')).toEqual({ kind: 'file', releaseFileId: '42' });
  });

  it('refuses ids past bigint and text that is not base64url', () => {
    expect(parseReleaseFileId('99999999999999999999')).toBeNull();
    expect(parseReleaseFileId('not base64!')).toBeNull();
    expect(parseReleaseFileId('')).toBeNull();
  });

  it('round-trips encodeIndexEntryId without a dist', () => {
    expect(parseReleaseFileId(encodeIndexEntryId(null, '~/app.js'))).toEqual({
      kind: 'index',
      candidates: [{ dist: null, url: '~/app.js' }],
    });
  });

  it('offers every split when the dist or the URL holds an underscore, first underscore first', () => {
    expect(parseReleaseFileId(encodeIndexEntryId('a_b', '~/x_y.js'))).toEqual({
      kind: 'index',
      candidates: [
        { dist: 'a', url: 'b_~/x_y.js' },
        { dist: 'a_b', url: '~/x_y.js' },
        { dist: 'a_b_~/x', url: 'y.js' },
      ],
    });
  });

  it('accepts padded base64 (as Sentry encodes) and refuses text without an underscore or URL', () => {
    const padded = Buffer.from('ios_~/a.js').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    expect(parseReleaseFileId(padded)).toEqual({ kind: 'index', candidates: [{ dist: 'ios', url: '~/a.js' }] });
    expect(parseReleaseFileId(Buffer.from('nounderscore').toString('base64url'))).toBeNull();
    expect(parseReleaseFileId(Buffer.from('dist_').toString('base64url'))).toBeNull();
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(parseReleaseFileId(Buffer.from([0xff, 0x5f, 0x61]).toString('base64url'))).toBeNull();
  });
});
