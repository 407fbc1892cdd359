import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ChunkDigestThread } from '../../adapters/hashing/ChunkDigestThread.js';
import { CHUNK_UPLOAD_ERROR } from '../../domain/chunkUploadLimits.js';
import { isAppError } from '../../domain/errors.js';
import { decodeChunkPart, freeInflated, type PartInflater } from './decodeChunkPart.js';

const MAX = 1024 * 1024;

describe('decodeChunkPart', () => {
  it('a plain part is a view of the receive buffer', async () => {
    const data = randomBytes(100_000);
    const into = Buffer.alloc(MAX + 1024);
    const decoded = (await decodeChunkPart(Readable.from([data.subarray(0, 60_000), data.subarray(60_000)]), 'raw', into, MAX)).bytes;
    expect(decoded.equals(data)).toBe(true);
    expect(decoded.buffer).toBe(into.buffer);
    expect(decoded.byteOffset).toBe(into.byteOffset);
  });

  it('a gzip part ends inflated in the receive buffer too, in place of its wire bytes', async () => {
    const data = randomBytes(300_000);
    const into = Buffer.from(new SharedArrayBuffer(MAX + 1024));
    const decoded = (await decodeChunkPart(Readable.from([gzipSync(data)]), 'gzip', into, MAX)).bytes;
    expect(decoded.equals(data)).toBe(true);
    expect(decoded.buffer).toBe(into.buffer);
    expect(decoded.byteOffset).toBe(0);
  });

  it('a gzip part is inflated and hashed by the chunk thread when one is given, and here when it leaves the part to us', async () => {
    const data = randomBytes(300_000);
    const sha1 = createHash('sha1').update(data).digest('hex');
    const thread = new ChunkDigestThread();
    try {
      const into = Buffer.from(new SharedArrayBuffer(MAX + 1024));
      const decoded = await decodeChunkPart(Readable.from([gzipSync(data)]), 'gzip', into, MAX, thread);
      expect(decoded.sha1).toBe(sha1);
      expect(decoded.bytes.equals(data)).toBe(true);
      expect(decoded.bytes.buffer).toBe(into.buffer);
    } finally {
      await thread.close();
    }
    const declining: PartInflater = { gunzipAndSha1: async () => undefined };
    const here = await decodeChunkPart(Readable.from([gzipSync(data)]), 'gzip', Buffer.from(new SharedArrayBuffer(MAX + 1024)), MAX, declining);
    expect(here.sha1).toBeUndefined();
    expect(here.bytes.equals(data)).toBe(true);
  });

  it('answers the thread’s zlib refusals as the same client errors as its own, and passes anything else on', async () => {
    const thread = new ChunkDigestThread();
    const outcomes = async (inflater?: PartInflater) => {
      const decode = (wire: Buffer, max: number) =>
        decodeChunkPart(Readable.from([wire]), 'gzip', Buffer.from(new SharedArrayBuffer(MAX + 1024)), max, inflater).catch((err: unknown) => err);
      return [await decode(Buffer.from('not gzip'), MAX), await decode(gzipSync(Buffer.alloc(5000)), 4999)].map((err) =>
        isAppError(err) ? `${err.code}: ${err.message}` : err,
      );
    };
    try {
      const onThread = await outcomes(thread);
      expect(onThread).toEqual([`validation_failed: ${CHUNK_UPLOAD_ERROR.invalidGzip}: incorrect header check`, `validation_failed: ${CHUNK_UPLOAD_ERROR.chunkTooLarge}`]);
      expect(await outcomes()).toEqual(onThread);
    } finally {
      await thread.close();
    }
    const died = new Error('The chunk thread stopped while it was writing an inflated part');
    const dying: PartInflater = { gunzipAndSha1: async () => Promise.reject(died) };
    expect(await outcomes(dying)).toEqual([died, died]);
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
