import { ChunkBufferPool, CHUNK_RECEIVE_BUFFERS_KEPT } from './chunkBuffers.js';

describe('ChunkBufferPool', () => {
  it('hands out buffers of its size, and a buffer given back to the next taker', () => {
    const pool = new ChunkBufferPool(1024);
    const first = pool.take();
    expect(first.length).toBe(1024);
    pool.give(first);
    expect(pool.take()).toBe(first);
    expect(pool.take()).not.toBe(first);
  });

  it(`keeps at most ${CHUNK_RECEIVE_BUFFERS_KEPT} buffers by default, and none of another size`, () => {
    const pool = new ChunkBufferPool(64);
    const taken = Array.from({ length: CHUNK_RECEIVE_BUFFERS_KEPT + 3 }, () => pool.take());
    taken.forEach((b) => pool.give(b));
    expect(pool.keptCount).toBe(CHUNK_RECEIVE_BUFFERS_KEPT);
    pool.give(Buffer.alloc(65));
    const other = new ChunkBufferPool(64, 2);
    other.give(Buffer.alloc(32));
    expect(other.keptCount).toBe(0);
  });
});
