import { gzipSync, constants as zlibConstants } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import {
  admitChunkCount,
  admitChunkSize,
  CHUNK_UPLOAD_ERROR,
  chunkUploadBodyLimit,
  gzipSizeBound,
  isChunkChecksum,
  maxPartWireBytes,
  partEncoding,
  requestChunkEncoding,
} from './chunkUploadLimits.js';

const limits = { chunkSize: 1024, chunksPerRequest: 3, maxRequestBytes: 2500 };

describe('isChunkChecksum', () => {
  it('accepts a lower-case 40-hex digest only', () => {
    expect(isChunkChecksum('a'.repeat(40))).toBe(true);
    expect(isChunkChecksum('0123456789abcdef0123456789abcdef01234567')).toBe(true);
    expect(isChunkChecksum('A'.repeat(40))).toBe(false);
    expect(isChunkChecksum('a'.repeat(39))).toBe(false);
    expect(isChunkChecksum('a'.repeat(41))).toBe(false);
    expect(isChunkChecksum('g'.repeat(40))).toBe(false);
    expect(isChunkChecksum(undefined)).toBe(false);
    expect(isChunkChecksum('')).toBe(false);
  });
});

describe('requestChunkEncoding', () => {
  it('is raw without a Content-Encoding and gzip with gzip', () => {
    expect(requestChunkEncoding(undefined)).toEqual({ ok: true, value: 'raw' });
    expect(requestChunkEncoding('')).toEqual({ ok: true, value: 'raw' });
    expect(requestChunkEncoding(' GZIP ')).toEqual({ ok: true, value: 'gzip' });
  });

  it('refuses codecs we do not advertise', () => {
    expect(requestChunkEncoding('zstd')).toEqual({ ok: false, error: CHUNK_UPLOAD_ERROR.unsupportedEncoding });
    expect(requestChunkEncoding('br')).toEqual({ ok: false, error: CHUNK_UPLOAD_ERROR.unsupportedEncoding });
  });
});

describe('partEncoding', () => {
  it('decodes file parts per the request encoding and file_gzip parts as gzip', () => {
    expect(partEncoding('file', 'raw', false)).toEqual({ ok: true, value: 'raw' });
    expect(partEncoding('file', 'gzip', true)).toEqual({ ok: true, value: 'gzip' });
    expect(partEncoding('file_gzip', 'raw', false)).toEqual({ ok: true, value: 'gzip' });
  });

  it('refuses file_gzip together with a Content-Encoding', () => {
    expect(partEncoding('file_gzip', 'gzip', true)).toEqual({ ok: false, error: CHUNK_UPLOAD_ERROR.encodingWithGzipField });
  });

  it('names an unknown field in its error', () => {
    const decision = partEncoding('file_brotli', 'raw', false);
    expect(decision.ok).toBe(false);
    expect(!decision.ok && decision.error).toContain('"file_brotli"');
  });
});

describe('admitChunkCount', () => {
  it('counts up to chunksPerRequest and refuses the next', () => {
    expect(admitChunkCount(0, limits)).toEqual({ ok: true, value: 1 });
    expect(admitChunkCount(2, limits)).toEqual({ ok: true, value: 3 });
    expect(admitChunkCount(3, limits)).toEqual({ ok: false, error: 'Too many chunks' });
  });
});

describe('admitChunkSize', () => {
  it('accepts a chunk of exactly chunkSize and keeps the running total', () => {
    expect(admitChunkSize(0, 1024, limits)).toEqual({ ok: true, value: 1024 });
    expect(admitChunkSize(1024, 0, limits)).toEqual({ ok: true, value: 1024 });
  });

  it('refuses a chunk larger than chunkSize before looking at the total', () => {
    expect(admitChunkSize(2400, 1025, limits)).toEqual({ ok: false, error: 'Chunk size too large' });
  });

  it('refuses once the decoded total passes maxRequestBytes, and not at it', () => {
    expect(admitChunkSize(2048, 452, limits)).toEqual({ ok: true, value: 2500 });
    expect(admitChunkSize(2048, 453, limits)).toEqual({ ok: false, error: 'Request too large' });
  });
});

describe('byte budgets', () => {
  it('bounds gzip of incompressible data, at any level', () => {
    for (const size of [0, 1, 1000, 65_536, 300_000]) {
      const data = randomBytes(size);
      for (const level of [zlibConstants.Z_NO_COMPRESSION, 1, 6, 9]) {
        expect(gzipSync(data, { level }).length).toBeLessThanOrEqual(gzipSizeBound(size));
      }
    }
  });

  it('lets a whole request of gzip parts through the body limit', () => {
    const bound = chunkUploadBodyLimit({ chunkSize: 8 * 2 ** 20, chunksPerRequest: 64, maxRequestBytes: 32 * 2 ** 20 });
    expect(bound).toBeGreaterThan(gzipSizeBound(32 * 2 ** 20) + 64 * 200);
    expect(bound).toBeLessThan(34 * 2 ** 20);
    expect(maxPartWireBytes({ chunkSize: 8 * 2 ** 20 })).toBeGreaterThan(gzipSizeBound(8 * 2 ** 20));
  });
});
