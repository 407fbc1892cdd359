import { randomBytes } from 'node:crypto';
import { ChunkBufferPool, CHUNK_RECEIVE_BUFFERS_KEPT, copyIntoReceiveBuffer } from './chunkBuffers.js';

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

describe('copyIntoReceiveBuffer', () => {
  it('copies every byte to the offset, shared memory or not, at any alignment, and nothing around them', () => {
    for (const target of [Buffer.from(new SharedArrayBuffer(1000)), Buffer.alloc(1000)]) {
      const source = randomBytes(700).subarray(3, 603);
      target.fill(0xaa);
      expect(copyIntoReceiveBuffer(target, 5, source)).toBe(600);
      expect(target.subarray(5, 605).equals(source)).toBe(true);
      expect(target.subarray(0, 5).every((b) => b === 0xaa)).toBe(true);
      expect(target.subarray(605).every((b) => b === 0xaa)).toBe(true);
    }
  });

  it('copies a one-byte source once, and an empty one not at all', () => {
    const target = Buffer.alloc(8);
    expect(copyIntoReceiveBuffer(target, 2, Buffer.from([7]))).toBe(1);
    expect(copyIntoReceiveBuffer(target, 3, Buffer.alloc(0))).toBe(0);
    expect([...target]).toEqual([0, 0, 7, 0, 0, 0, 0, 0]);
  });

  it('refuses what does not fit instead of copying part of it', () => {
    const target = Buffer.alloc(8);
    expect(() => copyIntoReceiveBuffer(target, 5, Buffer.alloc(4, 1))).toThrow(RangeError);
    expect(target.every((b) => b === 0)).toBe(true);
  });
});
