import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { collectStream, readPieces } from './streams.js';

async function piecesOf(source: Readable | Buffer, size: number, reuseBuffer: boolean): Promise<Buffer[]> {
  const out: Buffer[] = [];
  // Copy each piece before asking for the next: a reused piece buffer is overwritten by then.
  for await (const piece of readPieces(source, size, { reuseBuffer })) out.push(Buffer.from(piece));
  return out;
}

describe('readPieces', () => {
  const data = randomBytes(10_000);
  const chunkings = [[1], [7, 3000, 1], [4096], [10_000], [333, 9000, 667]];

  function chunked(sizes: number[]): Readable {
    const chunks: Buffer[] = [];
    for (let offset = 0, i = 0; offset < data.length; i += 1) {
      const size = sizes[i % sizes.length]!;
      chunks.push(data.subarray(offset, offset + size));
      offset += size;
    }
    return Readable.from(chunks);
  }

  it.each([false, true])('cuts any chunking into exact pieces (reuseBuffer %s)', async (reuseBuffer) => {
    for (const sizes of chunkings) {
      for (const size of [1000, 1024, 4096, 10_000, 20_000]) {
        const pieces = await piecesOf(chunked(sizes), size, reuseBuffer);
        expect(pieces.slice(0, -1).every((p) => p.length === size)).toBe(true);
        expect(Buffer.concat(pieces)).toEqual(data);
      }
    }
  });

  it('reuses one buffer for pieces built from several chunks', async () => {
    const buffers = new Set<ArrayBufferLike>();
    for await (const piece of readPieces(chunked([100]), 1000, { reuseBuffer: true })) buffers.add(piece.buffer);
    expect(buffers.size).toBe(1);
  });

  it('slices a buffer source', async () => {
    const pieces = await piecesOf(data, 3000, false);
    expect(pieces.map((p) => p.length)).toEqual([3000, 3000, 3000, 1000]);
  });
});

describe('collectStream', () => {
  it('joins chunks and enforces maxBytes', async () => {
    expect(await collectStream(Readable.from([Buffer.from('ab'), Buffer.from('c')]))).toEqual(Buffer.from('abc'));
    expect(await collectStream(Readable.from([Buffer.from('abc')]))).toEqual(Buffer.from('abc'));
    await expect(collectStream(Readable.from([Buffer.from('abcd')]), 3)).rejects.toMatchObject({ code: 'file_too_large' });
  });
});
