import {
  isValidReleaseVersion,
  parseReleaseVersion,
  releaseNameProblem,
  releaseSemverColumns,
  type ParsedVersion,
  type VersionInfo,
} from './releaseVersion.js';

function parsed(fields: Partial<ParsedVersion> & Pick<ParsedVersion, 'raw_short' | 'components' | 'raw_quad'>): ParsedVersion {
  return { major: 0, minor: 0, patch: 0, revision: 0, pre: null, build_code: null, ...fields };
}

// Every parser row of sentry-dashboards-releases.md B.6 (the sentry-release-parser snapshots), in full.
const SNAPSHOTS: Array<[string, VersionInfo]> = [
  [
    '@foo.bar.baz--blah@1.2.3-dev+BUILD-code',
    {
      package: '@foo.bar.baz--blah',
      version_raw: '1.2.3-dev+BUILD-code',
      version_parsed: parsed({
        major: 1, minor: 2, patch: 3, pre: 'dev', build_code: 'BUILD-code', raw_short: '1.2.3-dev', components: 3,
        raw_quad: ['1', '2', '3', null],
      }),
      build_hash: null,
      description: '1.2.3-dev (BUILD-code)',
    },
  ],
  [
    'foo.bar.baz.App@1.0+20200101100',
    {
      package: 'foo.bar.baz.App',
      version_raw: '1.0+20200101100',
      version_parsed: parsed({ major: 1, build_code: '20200101100', raw_short: '1.0', components: 2, raw_quad: ['1', '0', null, null] }),
      build_hash: null,
      description: '1.0 (20200101100)',
    },
  ],
  [
    'foo.bar.baz.App@1.0+1.0.200',
    {
      package: 'foo.bar.baz.App',
      version_raw: '1.0+1.0.200',
      version_parsed: parsed({ major: 1, build_code: '1.0.200', raw_short: '1.0', components: 2, raw_quad: ['1', '0', null, null] }),
      build_hash: null,
      description: '1.0 (1.0.200)',
    },
  ],
  [
    '085240e737828d8326719bf97730188e927e49ca',
    {
      package: null,
      version_raw: '085240e737828d8326719bf97730188e927e49ca',
      version_parsed: null,
      build_hash: '085240e737828d8326719bf97730188e927e49ca',
      description: '085240e73782',
    },
  ],
  [
    'package@085240e737828d8326719bf97730188e927e49ca',
    {
      package: 'package',
      version_raw: '085240e737828d8326719bf97730188e927e49ca',
      version_parsed: null,
      build_hash: '085240e737828d8326719bf97730188e927e49ca',
      description: '085240e73782',
    },
  ],
  [
    'com.foogame.FooGame@7211+7211',
    {
      package: 'com.foogame.FooGame',
      version_raw: '7211+7211',
      version_parsed: parsed({ major: 7211, build_code: '7211', raw_short: '7211', components: 1, raw_quad: ['7211', null, null, null] }),
      build_hash: null,
      description: '7211 (7211)',
    },
  ],
  [
    'some-api@2020.05.26-01.38.42',
    {
      package: 'some-api',
      version_raw: '2020.05.26-01.38.42',
      version_parsed: null,
      build_hash: null,
      description: 'some-api@2020.05.26-01.38.42',
    },
  ],
  [
    'some-api@2020.2-1.2.3',
    {
      package: 'some-api',
      version_raw: '2020.2-1.2.3',
      version_parsed: parsed({ major: 2020, minor: 2, pre: '1.2.3', raw_short: '2020.2-1.2.3', components: 2, raw_quad: ['2020', '2', null, null] }),
      build_hash: null,
      description: '2020.2-1.2.3',
    },
  ],
  [
    'some-api@1.0alpha2',
    {
      package: 'some-api',
      version_raw: '1.0alpha2',
      version_parsed: parsed({ major: 1, pre: 'alpha2', raw_short: '1.0alpha2', components: 2, raw_quad: ['1', '0', null, null] }),
      build_hash: null,
      description: '1.0alpha2',
    },
  ],
  [
    'some-api@1.0.0.0',
    {
      package: 'some-api',
      version_raw: '1.0.0.0',
      version_parsed: parsed({ major: 1, raw_short: '1.0.0.0', components: 4, raw_quad: ['1', '0', '0', '0'] }),
      build_hash: null,
      description: '1.0.0.0',
    },
  ],
  [
    'foo@01.02.003.4-alpha+1234',
    {
      package: 'foo',
      version_raw: '01.02.003.4-alpha+1234',
      version_parsed: parsed({
        major: 1, minor: 2, patch: 3, revision: 4, pre: 'alpha', build_code: '1234', raw_short: '01.02.003.4-alpha', components: 4,
        raw_quad: ['01', '02', '003', '4'],
      }),
      build_hash: null,
      description: '01.02.003.4-alpha (1234)',
    },
  ],
  [
    'foo@20210505090610352561',
    {
      package: 'foo',
      version_raw: '20210505090610352561',
      version_parsed: null,
      build_hash: '20210505090610352561',
      description: '202105050906',
    },
  ],
  ['foo@', { package: null, version_raw: 'foo@', version_parsed: null, build_hash: null, description: 'foo@' }],
  [
    'hackweek@6f85d2f',
    { package: 'hackweek', version_raw: '6f85d2f', version_parsed: null, build_hash: null, description: 'hackweek@6f85d2f' },
  ],
  [
    'bla-internal@0.0.0.4bfe251b96',
    {
      package: 'bla-internal',
      version_raw: '0.0.0.4bfe251b96',
      version_parsed: parsed({ revision: 4, pre: 'bfe251b96', raw_short: '0.0.0.4bfe251b96', components: 4, raw_quad: ['0', '0', '0', '4'] }),
      build_hash: null,
      description: '0.0.0.4bfe251b96',
    },
  ],
  // B.6 serializer test 4 (newest parser).
  [
    'foo.bar.BazApp@1.0a+20200101100',
    {
      package: 'foo.bar.BazApp',
      version_raw: '1.0a+20200101100',
      version_parsed: parsed({ major: 1, pre: 'a', build_code: '20200101100', raw_short: '1.0a', components: 2, raw_quad: ['1', '0', null, null] }),
      build_hash: null,
      description: '1.0a (20200101100)',
    },
  ],
];

describe('parseReleaseVersion: the parser snapshot table', () => {
  it.each(SNAPSHOTS)('%s', (version, expected) => {
    expect(parseReleaseVersion(version)).toEqual(expected);
  });

  it.each(['latest', '.', '..', 'foo\nbar'])('refuses %j', (version) => {
    expect(parseReleaseVersion(version)).toBeNull();
  });

  it('describes a bare 32-hex release by its short hash (B.6 serializer test 1)', () => {
    const version = '8cbf2fe7d8c74c7bb86e2b0b9a8d6b36';
    expect(parseReleaseVersion(version)).toEqual({
      package: null,
      version_raw: version,
      version_parsed: null,
      build_hash: version,
      description: '8cbf2fe7d8c7',
    });
  });
});

describe('parseReleaseVersion: grammar details', () => {
  it('never parses a version without a package', () => {
    expect(parseReleaseVersion('1.0.0')).toEqual({
      package: null,
      version_raw: '1.0.0',
      version_parsed: null,
      build_hash: null,
      description: '1.0.0',
    });
  });

  it('takes a hash build code as the build hash', () => {
    const info = parseReleaseVersion('@foo.bar.baz--blah@1.0a+a86d127c4b2f23a0a862620280427dcc01c78676');
    expect(info?.version_parsed?.build_code).toBe('a86d127c4b2f23a0a862620280427dcc01c78676');
    expect(info?.build_hash).toBe('a86d127c4b2f23a0a862620280427dcc01c78676');
    expect(info?.description).toBe('1.0a (a86d127c4b2f)');
  });

  it('trims whitespace and keeps leading zeros in raw_quad', () => {
    const info = parseReleaseVersion('  foo.bar.baz@1.2.3.04 ');
    expect(info?.package).toBe('foo.bar.baz');
    expect(info?.version_parsed).toMatchObject({ major: 1, minor: 2, patch: 3, revision: 4, raw_quad: ['1', '2', '3', '04'] });
  });

  it.each<[string, string | null]>([
    ['p@1-a1', 'a1'],
    ['p@1.0a1', 'a1'],
    ['p@1.0-1234', '1234'],
    ['p@1.0-', null],
    ['p@1.2.3-rc.1', 'rc.1'],
    ['p@1.2.3-x-y', 'x-y'],
  ])('reads the prerelease of %s as %j', (version, pre) => {
    expect(parseReleaseVersion(version)?.version_parsed?.pre).toBe(pre);
  });

  it.each(['p@1a1', 'p@1.0A', 'p@1.0-01', 'p@1.0+', 'p@1.0+a..b', 'p@v1.0', 'p@1.0.0.0.0', 'p@1..0', 'p@1.0 beta'])(
    'has no parsed version for %s',
    (version) => {
      const info = parseReleaseVersion(version);
      expect(info).not.toBeNull();
      expect(info?.version_parsed).toBeNull();
      expect(info?.description).toBe(version);
    },
  );

  it('splits the package at the first @ that is not leading', () => {
    expect(parseReleaseVersion('a@b@1.0')).toMatchObject({ package: 'a', version_raw: 'b@1.0', version_parsed: null });
    expect(parseReleaseVersion('@scope/pkg@1.0')).toBeNull(); // "/" is a bad character for the parser
    expect(parseReleaseVersion('@scope-pkg@1.0')?.package).toBe('@scope-pkg');
  });

  it('recognises build hashes only at the hash lengths', () => {
    expect(parseReleaseVersion('p@abcdef012345')?.build_hash).toBe('abcdef012345');
    expect(parseReleaseVersion('p@abcdef0123456')?.build_hash).toBeNull();
    expect(parseReleaseVersion('p@ABCDEF0123456789')?.build_hash).toBe('ABCDEF0123456789');
  });

  it('reads components past u64 as 0 and keeps large ones as numbers', () => {
    expect(parseReleaseVersion('p@18446744073709551616.1')?.version_parsed).toMatchObject({ major: 0, minor: 1 });
    expect(parseReleaseVersion('p@9007199254740993.1')?.version_parsed?.major).toBe(9007199254740992);
  });
});

describe('releaseNameProblem', () => {
  it.each<[string, string | null]>([
    ['1.0.0', null],
    ['', null],
    ['a'.repeat(200), null],
    ['a'.repeat(201), 'too_long'],
    ['é'.repeat(100), null],
    ['é'.repeat(101), 'too_long'],
    ['latest', 'restricted_name'],
    ['LaTeSt', 'restricted_name'],
    ['.', 'restricted_name'],
    ['..', 'restricted_name'],
    ['...', null],
    ['a/b', 'bad_characters'],
    ['a\\b', 'bad_characters'],
    ['a\tb', 'bad_characters'],
    ['a\rb', 'bad_characters'],
    ['a\u0000b', 'bad_characters'],
    ['a\u007fb', 'bad_characters'],
    ['a\u000cb', 'bad_characters'],
    ['a b', null],
  ])('%j -> %s', (name, problem) => {
    expect(releaseNameProblem(name)).toBe(problem);
  });
});

describe('isValidReleaseVersion', () => {
  it.each(['1.0.0', 'foo@1.0', '  1.0  ', '...', 'latest-1', 'a'.repeat(300), 'a\u0000b'])('accepts %j', (version) => {
    expect(isValidReleaseVersion(version)).toBe(true);
  });

  it.each(['', '   ', '.', ' .. ', 'latest', ' LATEST ', 'a/b', 'a\\b', 'a\nb', 'a\rb', 'a\tb', 'a\fb', '1.0\n'])(
    'refuses %j',
    (version) => {
      expect(isValidReleaseVersion(version)).toBe(false);
    },
  );
});

describe('releaseSemverColumns', () => {
  it('fills the columns of a parsed version', () => {
    expect(releaseSemverColumns('foo@01.02.003.4-alpha+1234')).toEqual({
      package: 'foo',
      major: '1',
      minor: '2',
      patch: '3',
      revision: '4',
      prerelease: 'alpha',
      build_code: '1234',
      build_number: '1234',
    });
  });

  it('stores an empty prerelease and no build number for a non-numeric build code', () => {
    expect(releaseSemverColumns('app@2.0+build-7')).toMatchObject({ prerelease: '', build_code: 'build-7', build_number: null });
  });

  it('keeps large components exact', () => {
    expect(releaseSemverColumns('app@9223372036854775807.1')?.major).toBe('9223372036854775807');
  });

  it('gives nothing when a component does not fit a signed 64-bit column', () => {
    expect(releaseSemverColumns('app@9223372036854775808.1')).toBeNull();
  });

  it('drops a build number past int64 but keeps the row', () => {
    expect(releaseSemverColumns('app@1.0+9223372036854775808')).toMatchObject({ build_code: '9223372036854775808', build_number: null });
    expect(releaseSemverColumns('app@1.0+-5')).toMatchObject({ build_number: '-5' });
  });

  it.each(['1.0.0', 'hackweek@6f85d2f', 'package@085240e737828d8326719bf97730188e927e49ca', 'latest'])(
    'gives nothing for %s (no parsed version)',
    (version) => {
      expect(releaseSemverColumns(version)).toBeNull();
    },
  );
});
