import { alignUp, DIRECT_IO_ALIGNMENT, DIRECT_IO_PIECE_BYTES, DIRECT_IO_STAGING_BUFFERS, StagingBuffers, stagingBuffers } from './directIo.js';

describe('StagingBuffers', () => {
  it('hands out distinct pieces of the memory and makes a taker wait until one is given back', async () => {
    const memory = new ArrayBuffer(3 * 8192);
    const buffers = new StagingBuffers(memory, 3, 8192);
    const taken = await Promise.all([buffers.take(), buffers.take(), buffers.take()]);
    expect(new Set(taken.map((b) => b.byteOffset))).toEqual(new Set([0, 8192, 16384]));
    expect(taken.every((b) => b.buffer === memory && b.length === 8192)).toBe(true);
    let fourth: Buffer | undefined;
    const waiting = buffers.take().then((b) => (fourth = b));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fourth).toBeUndefined();
    buffers.give(taken[1]!);
    await waiting;
    expect(fourth).toBe(taken[1]);
  });

  it('serves waiters in the order they came', async () => {
    const buffers = new StagingBuffers(new ArrayBuffer(4096), 1, 4096);
    const only = await buffers.take();
    const order: string[] = [];
    const first = buffers.take().then((b) => {
      order.push('first');
      return b;
    });
    const second = buffers.take().then(() => order.push('second'));
    buffers.give(only);
    buffers.give(await first);
    await second;
    expect(order).toEqual(['first', 'second']);
  });
});

describe('stagingBuffers', () => {
  it('maps them once per process, page-aligned pieces of one WebAssembly memory', async () => {
    const buffers = stagingBuffers();
    expect(buffers).not.toBeNull();
    expect(stagingBuffers()).toBe(buffers);
    const taken = await Promise.all(Array.from({ length: DIRECT_IO_STAGING_BUFFERS }, () => buffers!.take()));
    expect(taken.map((b) => b.byteOffset % DIRECT_IO_ALIGNMENT)).toEqual(taken.map(() => 0));
    expect(taken.every((b) => b.length === DIRECT_IO_PIECE_BYTES)).toBe(true);
    taken.forEach((b) => buffers!.give(b));
  });
});

describe('alignUp', () => {
  it('rounds up to the alignment and leaves multiples alone', () => {
    expect([0, 1, 4095, 4096, 4097].map(alignUp)).toEqual([0, 4096, 4096, 4096, 8192]);
  });
});
