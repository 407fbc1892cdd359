import { decodeDataUrl, resolveUrl, sourceMappingUrlComment, sourceMapUrlFromHeaders } from './sourceMapReference.js';

describe('sourceMapUrlFromHeaders', () => {
  it('takes Sourcemap before X-SourceMap, in any case, and ignores blank values', () => {
    expect(sourceMapUrlFromHeaders({ 'X-SourceMap': 'x.map', SourceMap: 'a.map' })).toBe('a.map');
    expect(sourceMapUrlFromHeaders({ 'x-sourcemap': ' x.map ' })).toBe('x.map');
    expect(sourceMapUrlFromHeaders({ sourcemap: '  ', 'content-type': 'text/javascript' })).toBeNull();
  });
});

describe('sourceMappingUrlComment', () => {
  it('finds the last //# (or //@) comment and ignores one inside a string', () => {
    expect(sourceMappingUrlComment('a();\n//# sourceMappingURL=app.js.map\n')).toBe('app.js.map');
    expect(sourceMappingUrlComment('//@ sourceMappingURL=old.map\nb();\n//# sourceMappingURL=new.map')).toBe('new.map');
    expect(sourceMappingUrlComment('var s = "//# sourceMappingURL=fake.map";\n')).toBeNull();
    expect(sourceMappingUrlComment('no comment here')).toBeNull();
  });
});

describe('resolveUrl', () => {
  it('resolves against absolute URLs by WHATWG rules', () => {
    expect(resolveUrl('http://x.com/static/js/app.js', 'app.js.map')).toBe('http://x.com/static/js/app.js.map');
    expect(resolveUrl('http://x.com/static/js/app.js?v=1', '../../src/a.ts')).toBe('http://x.com/src/a.ts');
    expect(resolveUrl('http://x.com/static/app.js', '/maps/app.map')).toBe('http://x.com/maps/app.map');
  });

  it('joins paths for ~/ names and keeps the ~ (any origin)', () => {
    expect(resolveUrl('~/static/app.js', 'app.js.map')).toBe('~/static/app.js.map');
    expect(resolveUrl('~/dist/static/app.js.map', '../../src/math.js')).toBe('~/src/math.js');
    expect(resolveUrl('~/static/app.js', '/other.map')).toBe('~/other.map');
    expect(resolveUrl('~/a.js', '../../../x.js')).toBe('~/x.js');
  });

  it('leaves absolute references alone', () => {
    expect(resolveUrl('~/static/app.js', 'https://cdn.example.com/app.map')).toBe('https://cdn.example.com/app.map');
    expect(resolveUrl('http://x.com/a.js', 'webpack:///./src/a.js')).toBe('webpack:///./src/a.js');
  });
});

describe('decodeDataUrl', () => {
  it('decodes base64 and percent-encoded maps, and flags bad base64', () => {
    const json = '{"version":3}';
    expect(decodeDataUrl(`data:application/json;charset=utf-8;base64,${Buffer.from(json).toString('base64')}`)).toEqual({ kind: 'inline', bytes: Buffer.from(json) });
    expect(decodeDataUrl(`data:application/json,${encodeURIComponent(json)}`)).toEqual({ kind: 'inline', bytes: Buffer.from(json) });
    expect(decodeDataUrl('data:application/json;base64,@@not base64@@')).toEqual({ kind: 'invalid_base64' });
    expect(decodeDataUrl('app.js.map')).toBeNull();
  });
});
