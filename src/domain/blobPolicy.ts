/**
 * Blob rules shared by the file layer. Sentry stores tiny printable payloads inline instead of as objects; we do
 * the same for blobs (DESIGN.md section 4).
 */
export const INLINE_BLOB_MAX_BYTES = 192;

/** A reused blob's timestamp is bumped at most this often (Sentry's 12 h debounce), which keeps it from GC. */
export const BLOB_RENEWAL_SECONDS = 12 * 3600;

/** Server-side blob size for files we write ourselves (Sentry's DEFAULT_BLOB_SIZE). */
export const DEFAULT_BLOB_SIZE = 1024 * 1024;

/** Chunk size for producers that upload through the chunk store (Sentry's chunk upload blob size). */
export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;

/** True for at most 192 bytes, all in 0x01..0x7E (no NUL, no DEL, no high bytes). */
export function canStoreInline(data: Uint8Array): boolean {
  if (data.length > INLINE_BLOB_MAX_BYTES) return false;
  return data.every((byte) => byte >= 0x01 && byte <= 0x7e);
}

/**
 * Already-compressed bytes (the chunks of a zip, images, random data): when zstd at its default level saves less
 * than this fraction of a sample, the blob is compressed at a fast level instead. Level 3 spends about 25 ms on an
 * 8 MiB chunk that it cannot shrink (some 300 MB/s, slower than the disk it writes to); a fast level writes the same
 * frame of stored blocks in under 2 ms.
 */
export const INCOMPRESSIBLE_MAX_SAVING = 0.03;

/** True when compressing `sampleBytes` of a blob gave `compressedBytes`: too little saving to be worth level 3. */
export function looksIncompressible(sampleBytes: number, compressedBytes: number): boolean {
  if (sampleBytes <= 0) return false;
  return compressedBytes >= sampleBytes * (1 - INCOMPRESSIBLE_MAX_SAVING);
}
