import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { decodeChunkPart, freeInflated } from './decodeChunkPart.js';

const MAX = 1024 * 1024;

describe('decodeChunkPart', () => {
  it('a plain part is a view of the receive buffer, and releasing it leaves that buffer alone', async () => {
    const data = randomBytes(100_000);
    const into = Buffer.alloc(MAX + 1024);
    const decoded = await decodeChunkPart(Readable.from([data.subarray(0, 60_000), data.subarray(60_000)]), 'raw', into, MAX);
    expect(decoded.bytes.equals(data)).toBe(true);
    expect(decoded.bytes.buffer).toBe(into.buffer);
    decoded.release();
    expect(decoded.bytes.equals(data)).toBe(true);
    expect(into.subarray(0, data.length).equals(data)).toBe(true);
  });

  it('a gzip part inflates into memory of its own, which release frees at once', async () => {
    const data = randomBytes(300_000);
    const into = Buffer.alloc(MAX + 1024);
    const decoded = await decodeChunkPart(Readable.from([gzipSync(data)]), 'gzip', into, MAX);
    expect(decoded.bytes.equals(data)).toBe(true);
    expect(decoded.bytes.buffer).not.toBe(into.buffer);
    const wire = Buffer.from(into.subarray(0, 1000));
    decoded.release();
    // detached: the inflated copy is gone, the receive buffer untouched
    expect(decoded.bytes.length).toBe(0);
    expect(decoded.bytes.buffer.byteLength).toBe(0);
    expect(into.subarray(0, 1000).equals(wire)).toBe(true);
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
