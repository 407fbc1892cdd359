import { randomBytes } from 'node:crypto';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compressBuffer, createCompressStream, createDecompressStream, decompressBuffer } from './zstd.js';

async function through(transform: Transform, input: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const drain = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<never> {
    for await (const chunk of source) out.push(chunk);
  };
  await pipeline(Readable.from(input), transform, drain);
  return Buffer.concat(out);
}

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

describe('zstd helpers', () => {
  it('round-trips buffers, compressing repetitive data', () => {
    const data = Buffer.from('function add(a, b) { return a + b; }\n'.repeat(1000));
    const compressed = compressBuffer(data);
    expect(compressed.subarray(0, 4)).toEqual(ZSTD_MAGIC);
    expect(compressed.length).toBeLessThan(data.length / 10);
    expect(decompressBuffer(compressed)).toEqual(data);
  });

  it('round-trips an empty buffer', () => {
    expect(decompressBuffer(compressBuffer(Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
  });

  it('decompresses concatenated frames', () => {
    const a = randomBytes(1000);
    const b = Buffer.from('second frame');
    expect(decompressBuffer(Buffer.concat([compressBuffer(a), compressBuffer(b)]))).toEqual(Buffer.concat([a, b]));
  });

  it('streams interoperate with buffers both ways', async () => {
    const data = Buffer.concat([randomBytes(300_000), Buffer.alloc(300_000, 7)]);
    const pieces = [data.subarray(0, 100_000), data.subarray(100_000, 450_000), data.subarray(450_000)];
    const streamed = await through(createCompressStream(), pieces);
    expect(decompressBuffer(streamed)).toEqual(data);
    const compressed = compressBuffer(data);
    const decompressed = await through(createDecompressStream(), [compressed.subarray(0, 10), compressed.subarray(10)]);
    expect(decompressed).toEqual(data);
  });

  it('fails a stream that ends inside a frame', async () => {
    const compressed = compressBuffer(randomBytes(10_000));
    await expect(through(createDecompressStream(), [compressed.subarray(0, compressed.length - 5)])).rejects.toThrow(
      /middle of compressed data frame/,
    );
  });

  it('rejects garbage', () => {
    expect(() => decompressBuffer(Buffer.from('definitely not zstd'))).toThrow();
  });
});
