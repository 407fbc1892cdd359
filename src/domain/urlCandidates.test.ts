import { releaseFileUrlCandidates } from './urlCandidates.js';

describe('releaseFileUrlCandidates', () => {
  // The six vectors of Sentry's ReleaseFile.normalize tests.
  it.each<[string, string[]]>([
    ['http://example.com', ['http://example.com', '~']],
    ['http://example.com/foo.js', ['http://example.com/foo.js', '~/foo.js']],
    [
      'http://example.com/foo.js?bar',
      ['http://example.com/foo.js?bar', 'http://example.com/foo.js', '~/foo.js?bar', '~/foo.js'],
    ],
    ['/foo.js', ['/foo.js', '~/foo.js']],
    [
      'http://example.com/foo.js?bar#baz',
      ['http://example.com/foo.js?bar', 'http://example.com/foo.js', '~/foo.js?bar', '~/foo.js'],
    ],
    ['foo.js', ['foo.js', '~foo.js']],
  ])('normalizes %s', (url, expected) => {
    expect(releaseFileUrlCandidates(url)).toEqual(expected);
  });

  it('keeps an empty authority so the first candidate equals the uploaded name', () => {
    expect(releaseFileUrlCandidates('app:///static/app.js')).toEqual(['app:///static/app.js', '~/static/app.js']);
  });

  it('treats a protocol-relative URL as having a host', () => {
    expect(releaseFileUrlCandidates('//cdn.example.com/a.js?v=2')).toEqual([
      '//cdn.example.com/a.js?v=2',
      '//cdn.example.com/a.js',
      '~/a.js?v=2',
      '~/a.js',
    ]);
  });

  it('drops an empty query and an empty fragment', () => {
    expect(releaseFileUrlCandidates('http://example.com/foo.js?#')).toEqual(['http://example.com/foo.js', '~/foo.js']);
  });

  it('handles a query directly after the host', () => {
    expect(releaseFileUrlCandidates('http://example.com?x=1')).toEqual([
      'http://example.com?x=1',
      'http://example.com',
      '~?x=1',
      '~',
    ]);
  });

  it('prefixes a name that has no origin, as Sentry does (even one already starting with ~)', () => {
    expect(releaseFileUrlCandidates('~/index.js')).toEqual(['~/index.js', '~~/index.js']);
  });

  it.each(['http://[::1/foo.js', 'http://[', '::::', '', '#', '?', '//', 'http:', '%zz://x/y'])(
    'never throws on malformed input %j',
    (url) => {
      const candidates = releaseFileUrlCandidates(url);
      expect(candidates.length === 2 || candidates.length === 4).toBe(true);
      expect(candidates.every((c) => typeof c === 'string')).toBe(true);
    },
  );

  it('splits a malformed IPv6 host best-effort', () => {
    expect(releaseFileUrlCandidates('http://[::1/foo.js')).toEqual(['http://[::1/foo.js', '~/foo.js']);
  });
});
