import { ByteBoundedCache } from './byteBoundedCache.js';

describe('ByteBoundedCache', () => {
  it('evicts the least recently used entries to stay within its bytes', () => {
    const cache = new ByteBoundedCache<string>(100);
    cache.set('a', 'A', 40);
    cache.set('b', 'B', 40);
    expect(cache.get('a')).toBe('A'); // a is now the most recent
    cache.set('c', 'C', 40);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c')]).toEqual(['A', 'C']);
    expect(cache.bytes).toBe(80);
  });

  it('does not keep a value larger than the budget, and replacing a key re-counts it', () => {
    const cache = new ByteBoundedCache<string>(100);
    cache.set('big', 'x', 101);
    expect(cache.get('big')).toBeUndefined();
    cache.set('k', 'one', 60);
    cache.set('k', 'two', 30);
    expect([cache.get('k'), cache.bytes, cache.size]).toEqual(['two', 30, 1]);
  });
});
