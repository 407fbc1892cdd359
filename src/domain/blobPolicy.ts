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
