import { assertValidBlobKey, generateBlobPath } from './BlobStore.js';
import { normalizePrefix } from './S3BlobStore.js';

describe('generateBlobPath', () => {
  it('splits a uuid4-shaped hex 2/4/26', () => {
    const path = generateBlobPath(() => Buffer.alloc(16, 0xff));
    expect(path).toBe('ff/ffff/' + 'ff'.repeat(3) + '4f' + 'ff' + 'bf' + 'ff'.repeat(7));
    expect(path).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{4}\/[0-9a-f]{26}$/);
  });

  it('sets the uuid4 version and variant bits', () => {
    const hex = generateBlobPath(() => Buffer.alloc(16, 0)).replaceAll('/', '');
    expect(hex[12]).toBe('4');
    expect(hex[16]).toBe('8');
  });

  it('is random by default', () => {
    const paths = new Set(Array.from({ length: 100 }, () => generateBlobPath()));
    expect(paths.size).toBe(100);
    for (const path of paths) expect(() => assertValidBlobKey(path)).not.toThrow();
  });

  it('refuses too few random bytes', () => {
    expect(() => generateBlobPath(() => Buffer.alloc(8))).toThrow('16 random bytes');
  });
});

describe('normalizePrefix', () => {
  it.each([
    [undefined, ''],
    ['', ''],
    ['/', ''],
    ['blobs', 'blobs/'],
    ['/tenant/a/', 'tenant/a/'],
  ])('%p -> %p', (given, expected) => {
    expect(normalizePrefix(given)).toBe(expected);
  });
});
