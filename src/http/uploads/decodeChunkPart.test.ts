import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { decodeChunkPart, freeInflated } from './decodeChunkPart.js';

const MAX = 1024 * 1024;

describe('decodeChunkPart', () => {
  it('a plain part is a view of the receive buffer', async () => {
    const data = randomBytes(100_000);
    const into = Buffer.alloc(MAX + 1024);
    const decoded = await decodeChunkPart(Readable.from([data.subarray(0, 60_000), data.subarray(60_000)]), 'raw', into, MAX);
    expect(decoded.equals(data)).toBe(true);
    expect(decoded.buffer).toBe(into.buffer);
    expect(decoded.byteOffset).toBe(into.byteOffset);
  });

  it('a gzip part ends inflated in the receive buffer too, in place of its wire bytes', async () => {
    const data = randomBytes(300_000);
    const into = Buffer.from(new SharedArrayBuffer(MAX + 1024));
    const decoded = await decodeChunkPart(Readable.from([gzipSync(data)]), 'gzip', into, MAX);
    expect(decoded.equals(data)).toBe(true);
    expect(decoded.buffer).toBe(into.buffer);
    expect(decoded.byteOffset).toBe(0);
  });

  it('frees an inflated copy at once', () => {
    const inflated = Buffer.allocUnsafeSlow(Buffer.poolSize * 4).fill(7);
    freeInflated(inflated);
    expect(inflated.length).toBe(0);
    expect(inflated.buffer.byteLength).toBe(0);
  });

  it('never frees a Buffer that may share Node’s pool with others', () => {
    const pooled = Buffer.from('shares the pool');
    const neighbour = Buffer.from('a neighbour in the pool');
    expect(pooled.buffer).toBe(neighbour.buffer);
    freeInflated(pooled);
    expect(pooled.toString()).toBe('shares the pool');
    expect(neighbour.toString()).toBe('a neighbour in the pool');
  });
});
