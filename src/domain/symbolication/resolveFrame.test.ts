import { TraceMap } from '@jridgewell/trace-mapping';
import { contextLines, SourceLines } from './contextLines.js';
import { parseSourceMap } from './parseSourceMap.js';
import { displayFilename, identifierAt, resolveFrame, type ResolvedSourceMap } from './resolveFrame.js';

// mappings: line 1 col 0 -> src/a.js 1:0 name "first"; col 9 -> src/a.js 2:2 (no name)
const MAP = { version: 3 as const, sources: ['../src/a.js'], sourcesContent: ['one\n  two\nthree\n'], names: ['first'], mappings: 'AAAAA,SACE' };
const sourceMap = (map = MAP): ResolvedSourceMap => ({
  map: new TraceMap(map),
  label: 'http://x.com/static/app.js.map',
  sourceBase: 'http://x.com/static/app.js.map',
  data: { resolved_with: 'release-old', sourcemap_origin: { individual_file: 'release_file/1' } },
});
const raw = (colno: number, lineno = 1) => ({ abs_path: 'http://x.com/static/app.js', lineno, colno, function: 'q', data: { symbolicated: false } });

describe('resolveFrame', () => {
  it('maps the position, resolves the source against the map URL and names the function from the caller', () => {
    const result = resolveFrame(raw(10), sourceMap(), 'callerGave', 'xxxxxxxxxab()');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.resolved.frame).toEqual({
      abs_path: 'http://x.com/src/a.js',
      filename: '../src/a.js',
      function: 'callerGave',
      lineno: 2,
      colno: 3,
      data: { sourcemap: 'http://x.com/static/app.js.map', resolved_with: 'release-old', sourcemap_origin: { individual_file: 'release_file/1' }, symbolicated: true },
    });
    // no name in the map there: the minified token at the position names the callee
    expect(result.resolved.tokenName).toBe('ab');
    expect(result.resolved.source.content).toBe('one\n  two\nthree\n');
  });

  it("takes the map's name at the position over the minified token, and keeps the raw function without a caller", () => {
    const result = resolveFrame(raw(1), sourceMap(), null, 'function q(){}');
    expect(result.ok && result.resolved.tokenName).toBe('first');
    expect(result.ok && result.resolved.frame.function).toBe('q');
  });

  it('answers invalid_location for a line past the end of the map', () => {
    expect(resolveFrame(raw(5, 40), sourceMap(), null, null)).toEqual({ ok: false, error: { type: 'invalid_location', line: 40, col: 5 } });
  });
});

describe('parseSourceMap', () => {
  it('parses a version 3 map and refuses what is not one', () => {
    expect(parseSourceMap(Buffer.from(JSON.stringify(MAP)))).toBeInstanceOf(TraceMap);
    expect(parseSourceMap(Buffer.from('{"version":3,"sources":["a'))).toBeNull();
    expect(parseSourceMap(Buffer.from('{"version":2,"sources":[],"mappings":""}'))).toBeNull();
    expect(parseSourceMap(Buffer.from([0xff, 0xfe, 0x00]))).toBeNull();
    expect(parseSourceMap(Buffer.from('[]'))).toBeNull();
  });
});

describe('helpers', () => {
  it('finds the identifier at a 1-based position', () => {
    expect(identifierAt('a();\nfoo.bar$1(x)', 2, 5)).toBe('bar$1');
    expect(identifierAt('a();', 1, 4)).toBeNull();
    expect(identifierAt('a();', 3, 1)).toBeNull();
  });

  it("drops webpack's namespace from display names", () => {
    expect(displayFilename('webpack://my-app/./src/a.js')).toBe('./src/a.js');
    expect(displayFilename('webpack:///./src/a.js')).toBe('./src/a.js');
    expect(displayFilename('../src/a.js')).toBe('../src/a.js');
  });

  it('gives five lines of context each side and cuts long lines around the column', () => {
    const source = new SourceLines(Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n'));
    expect(contextLines(source, 10, 1)).toEqual({
      pre_context: ['line 5', 'line 6', 'line 7', 'line 8', 'line 9'],
      context_line: 'line 10',
      post_context: ['line 11', 'line 12', 'line 13', 'line 14', 'line 15'],
    });
    expect(contextLines(source, 21, 1)).toBeNull();
    const long = contextLines(new SourceLines(`${'a'.repeat(300)}X${'b'.repeat(300)}`), 1, 301)!.context_line;
    expect(long).toMatch(/^\{snip\} a+Xb+ \{snip\}$/);
    expect(long.length).toBeLessThan(160);
  });
});
