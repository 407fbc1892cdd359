import { findNulCharacter } from './nulCharacters.js';

describe('findNulCharacter', () => {
  it('names the first string or key holding a NUL, however deep', () => {
    expect(findNulCharacter('a\u0000b', 'version')).toBe('version');
    expect(findNulCharacter({ title: 'ok', widgets: [{ title: 'x' }, { title: 'y\u0000' }] })).toBe('widgets[1].title');
    expect(findNulCharacter({ headers: { 'x\u0000': 'v' } })).toBe('headers["x\\u0000"]');
    expect(findNulCharacter({ 'content-type': 'a\u0000' })).toBe('content-type');
  });

  it('finds nothing in clean values, numbers, nulls and buffers', () => {
    expect(findNulCharacter({ a: ['b', 1, null, true, { c: 'd' }], e: Buffer.from([0]) })).toBeUndefined();
    expect(findNulCharacter(undefined)).toBeUndefined();
  });
});
