import { canStoreInline, INCOMPRESSIBLE_MAX_SAVING, INLINE_BLOB_MAX_BYTES, looksIncompressible } from './blobPolicy.js';

describe('canStoreInline', () => {
  it('accepts printable ASCII up to the limit', () => {
    expect(canStoreInline(Buffer.from('console.log("hi");\n\t~'))).toBe(true);
    expect(canStoreInline(Buffer.alloc(INLINE_BLOB_MAX_BYTES, 'a'))).toBe(true);
    expect(canStoreInline(Buffer.from([0x01, 0x7e]))).toBe(true);
    expect(canStoreInline(Buffer.alloc(0))).toBe(true);
  });

  it('refuses anything longer', () => {
    expect(canStoreInline(Buffer.alloc(INLINE_BLOB_MAX_BYTES + 1, 'a'))).toBe(false);
  });

  it.each([
    ['NUL', 0x00],
    ['DEL', 0x7f],
    ['a high byte', 0x80],
    ['0xFF', 0xff],
  ])('refuses %s', (_name, byte) => {
    expect(canStoreInline(Buffer.from([0x41, byte, 0x41]))).toBe(false);
  });

  it('refuses UTF-8 text beyond ASCII', () => {
    expect(canStoreInline(Buffer.from('café'))).toBe(false);
  });
});

describe('looksIncompressible', () => {
  it('is true when the sample shrank by less than INCOMPRESSIBLE_MAX_SAVING, and false when it shrank by more', () => {
    const limit = 1000 * (1 - INCOMPRESSIBLE_MAX_SAVING);
    expect(looksIncompressible(1000, 1010)).toBe(true);
    expect(looksIncompressible(1000, Math.ceil(limit))).toBe(true);
    expect(looksIncompressible(1000, Math.floor(limit) - 1)).toBe(false);
    expect(looksIncompressible(1000, 300)).toBe(false);
  });

  it('is false for an empty sample', () => {
    expect(looksIncompressible(0, 9)).toBe(false);
  });
});
