/**
 * The rules of `POST chunk-upload/` that need no I/O: which multipart fields carry chunks and how they are encoded,
 * the error strings sentry-cli users see (Sentry's own, reference sentry-assemble.md 1.3), and the byte budgets.
 */

/** Sentry's exact error strings; clients and scripts match on them. */
export const CHUNK_UPLOAD_ERROR = {
  unsupportedEncoding: 'Unsupported Content-Encoding',
  encodingWithGzipField: 'Cannot combine Content-Encoding with file_gzip field',
  tooManyChunks: 'Too many chunks',
  chunkTooLarge: 'Chunk size too large',
  requestTooLarge: 'Request too large',
  checksumMismatch: 'Checksum mismatch',
  invalidGzip: 'Invalid gzip payload',
} as const;

/** The compression codecs the options advertise and the upload accepts (`file_gzip` parts, `Content-Encoding`). */
export const CHUNK_COMPRESSION = ['gzip'] as const;

export type ChunkEncoding = 'raw' | 'gzip';

/** Multipart field name -> how its parts are encoded; `file` follows the request's Content-Encoding. */
export const CHUNK_FIELDS = ['file', 'file_gzip'] as const;

const SHA1_HEX = /^[0-9a-f]{40}$/;

/** A chunk's part filename is the lower-case hex SHA-1 of its decoded bytes. */
export function isChunkChecksum(name: string | undefined): name is string {
  return name !== undefined && SHA1_HEX.test(name);
}

export type Decision<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * The codec every `file` part is compressed with, from the request's Content-Encoding header (the newest Sentry
 * revision's alternative to `file_gzip`): none when absent, an error when not one we advertise.
 */
export function requestChunkEncoding(contentEncoding: string | undefined): Decision<ChunkEncoding> {
  const value = contentEncoding?.trim().toLowerCase() ?? '';
  if (value === '') return { ok: true, value: 'raw' };
  if ((CHUNK_COMPRESSION as readonly string[]).includes(value)) return { ok: true, value: 'gzip' };
  return { ok: false, error: CHUNK_UPLOAD_ERROR.unsupportedEncoding };
}

/** How one part of field `fieldName` is encoded, given the request's encoding; an error for any other field. */
export function partEncoding(fieldName: string, requestEncoding: ChunkEncoding, hasContentEncoding: boolean): Decision<ChunkEncoding> {
  if (fieldName === 'file') return { ok: true, value: requestEncoding };
  if (fieldName === 'file_gzip') {
    if (hasContentEncoding) return { ok: false, error: CHUNK_UPLOAD_ERROR.encodingWithGzipField };
    return { ok: true, value: 'gzip' };
  }
  return { ok: false, error: unexpectedFieldError(fieldName) };
}

export function unexpectedFieldError(fieldName: string): string {
  return `Unexpected form field ${JSON.stringify(fieldName)}: chunks are file parts named "file" or "file_gzip"`;
}

export const INVALID_CHUNK_NAME_ERROR = 'Invalid chunk filename: it must be the 40-character lower-case hex SHA-1 of the chunk';

export interface ChunkRequestLimits {
  chunkSize: number;
  chunksPerRequest: number;
  /** sum of decoded chunk sizes in one request */
  maxRequestBytes: number;
}

/**
 * Accounts for the parts of one request as they stream in, in Sentry's order: the part count first, then the
 * decoded size of the chunk, then the running total. Pure: returns the new totals or the error to answer.
 */
export function admitChunkCount(partsSoFar: number, limits: ChunkRequestLimits): Decision<number> {
  const count = partsSoFar + 1;
  return count > limits.chunksPerRequest ? { ok: false, error: CHUNK_UPLOAD_ERROR.tooManyChunks } : { ok: true, value: count };
}

export function admitChunkSize(bytesSoFar: number, chunkBytes: number, limits: ChunkRequestLimits): Decision<number> {
  if (chunkBytes > limits.chunkSize) return { ok: false, error: CHUNK_UPLOAD_ERROR.chunkTooLarge };
  const total = bytesSoFar + chunkBytes;
  return total > limits.maxRequestBytes ? { ok: false, error: CHUNK_UPLOAD_ERROR.requestTooLarge } : { ok: true, value: total };
}

/**
 * The most bytes a gzip stream of `n` input bytes can take: zlib's deflateBound plus the gzip header and trailer.
 * Already-compressed data (zip chunks) grows slightly under gzip, so the wire allows this rather than `n`.
 */
export function gzipSizeBound(n: number): number {
  return n + Math.floor(n / 4096) + Math.floor(n / 16384) + Math.floor(n / 2 ** 25) + 13 + 18;
}

/** Slack for what a client may legitimately put around the payload: gzip header fields, part headers, boundaries. */
const PER_PART_OVERHEAD = 2048;
const PER_REQUEST_OVERHEAD = 64 * 1024;

/** The largest encoded part we read before calling the chunk too large (bounds gzip input, not only output). */
export function maxPartWireBytes(limits: Pick<ChunkRequestLimits, 'chunkSize'>): number {
  return gzipSizeBound(limits.chunkSize) + PER_PART_OVERHEAD;
}

/**
 * The body limit of `POST chunk-upload/`: the decoded budget, grown by gzip's worst case, plus multipart framing for
 * every part. A reverse proxy in front must allow at least this much.
 */
export function chunkUploadBodyLimit(limits: ChunkRequestLimits): number {
  return gzipSizeBound(limits.maxRequestBytes) + limits.chunksPerRequest * (18 + PER_PART_OVERHEAD) + PER_REQUEST_OVERHEAD;
}
