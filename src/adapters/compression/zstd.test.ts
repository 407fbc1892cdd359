import { randomBytes } from 'node:crypto';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compress } from 'zstd-napi';
import {
  compressBound,
  compressBuffer,
  DEFAULT_ZSTD_LEVEL,
  INCOMPRESSIBLE_ZSTD_LEVEL,
  levelFor,
  createCompressStream,
  createDecompressStream,
  decompressBuffer,
  decompressInto,
  withCompressedFrame,
} from './zstd.js';

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

  it('writes the same frames as zstd-napi compress, from a reused buffer', async () => {
    const inputs = [Buffer.from('x'.repeat(100_000)), randomBytes(1 << 20), Buffer.alloc(0), Buffer.from('function f() {}\n'.repeat(5000))];
    const seen = new Set<ArrayBufferLike>();
    for (const input of inputs) {
      expect(compressBuffer(input)).toEqual(compress(input, { compressionLevel: 3 }));
      // random bytes do not compress: withCompressedFrame writes them at the fast level
      const level = input.length === 1 << 20 ? INCOMPRESSIBLE_ZSTD_LEVEL : DEFAULT_ZSTD_LEVEL;
      const expected = compress(input, { compressionLevel: level });
      const frame = await withCompressedFrame(input, async (f) => {
        seen.add(f.buffer);
        return Buffer.from(f);
      });
      expect(frame).toEqual(expected);
    }
    expect(seen.size).toBeLessThan(inputs.length);
    expect(compressBuffer(inputs[0]!, 9)).toEqual(compress(inputs[0]!, { compressionLevel: 9 }));
  });

  it('compresses a large blob whose samples do not compress at the fast level, and anything else at the level asked', () => {
    const scratch = Buffer.alloc(compressBound(1 << 20));
    const text = Buffer.from('export function add(a, b) { return a + b; }\n'.repeat(30_000));
    expect(levelFor(randomBytes(1 << 20), DEFAULT_ZSTD_LEVEL, scratch)).toBe(INCOMPRESSIBLE_ZSTD_LEVEL);
    expect(levelFor(text, DEFAULT_ZSTD_LEVEL, scratch)).toBe(DEFAULT_ZSTD_LEVEL);
    expect(levelFor(text, 9, scratch)).toBe(9);
    // too small to be worth sampling
    expect(levelFor(randomBytes(100_000), DEFAULT_ZSTD_LEVEL, scratch)).toBe(DEFAULT_ZSTD_LEVEL);
    // one compressible sample among three is enough to keep the level: a zip whose last entries are stored text
    const mixed = Buffer.concat([randomBytes(700_000), text.subarray(0, 348_576)]);
    expect(levelFor(mixed, DEFAULT_ZSTD_LEVEL, scratch)).toBe(DEFAULT_ZSTD_LEVEL);
  });

  it('round-trips incompressible blobs written at the fast level, and they cost no more room than at level 3', async () => {
    const input = randomBytes(3 << 20);
    const frame = await withCompressedFrame(input, async (f) => Buffer.from(f));
    expect(decompressBuffer(frame)).toEqual(input);
    expect(frame.length).toBeLessThanOrEqual(compress(input, { compressionLevel: DEFAULT_ZSTD_LEVEL }).length);
  });

  it('does not reuse a frame buffer whose consumer failed', async () => {
    const input = randomBytes(200_000);
    let failed: ArrayBufferLike | undefined;
    await expect(
      withCompressedFrame(input, async (f) => {
        failed = f.buffer;
        throw new Error('put failed');
      }),
    ).rejects.toThrow('put failed');
    for (let i = 0; i < 3; i++) await withCompressedFrame(input, async (f) => expect(f.buffer).not.toBe(failed));
  });

  it('rejects garbage', () => {
    expect(() => decompressBuffer(Buffer.from('definitely not zstd'))).toThrow();
  });
});

describe('decompressInto', () => {
  it('decompresses different frames one after another into the same buffer, each exactly', () => {
    const dest = Buffer.alloc(300_000);
    const first = randomBytes(300_000);
    const second = Buffer.from('function f() {}\n'.repeat(10_000)).subarray(0, 120_000);
    expect(decompressInto(dest, compressBuffer(first))).toBe(first.length);
    expect(dest.equals(first)).toBe(true);
    const written = decompressInto(dest, compressBuffer(second));
    expect(written).toBe(second.length);
    expect(dest.subarray(0, written).equals(second)).toBe(true);
  });

  it('decompresses concatenated frames', () => {
    const a = randomBytes(1000);
    const b = Buffer.from('second frame');
    const dest = Buffer.alloc(2000);
    const written = decompressInto(dest, Buffer.concat([compressBuffer(a), compressBuffer(b)]));
    expect(dest.subarray(0, written)).toEqual(Buffer.concat([a, b]));
  });

  it('throws when the content does not fit, and works again afterwards', () => {
    const data = randomBytes(10_000);
    const frame = compressBuffer(data);
    expect(() => decompressInto(Buffer.alloc(9_999), frame)).toThrow();
    expect(() => decompressInto(Buffer.alloc(10_000), Buffer.from('definitely not zstd'))).toThrow();
    const dest = Buffer.alloc(10_000);
    expect(decompressInto(dest, frame)).toBe(10_000);
    expect(dest.equals(data)).toBe(true);
  });
});
