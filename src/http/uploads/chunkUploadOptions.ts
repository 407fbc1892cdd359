import type { UploadSettings } from '../../config/config.js';
import { CHUNK_COMPRESSION } from '../../domain/chunkUploadLimits.js';

/** What `GET chunk-upload/` answers; sentry-cli fails to parse the response when a required key is missing. */
export interface ChunkUploadOptions {
  url: string;
  chunkSize: number;
  chunksPerRequest: number;
  maxFileSize: number;
  maxRequestSize: number;
  concurrency: number;
  hashAlgorithm: 'sha1';
  compression: string[];
  accept: string[];
}

/**
 * The upload parameters for one organisation. The URL is absolute, as Sentry's: Sentry's JavaScript CLI (behind the
 * bundler plugins) refuses a relative one. Its base is the origin the client used, or PUBLIC_URL (publicBaseUrl), so
 * it never names an internal host a proxy hides.
 */
export function chunkUploadOptions(input: {
  /** the public base URL, no trailing slash */
  baseUrl: string;
  organizationSlug: string;
  chunkSize: number;
  uploads: UploadSettings;
  maxFileSize: number;
}): ChunkUploadOptions {
  return {
    url: `${input.baseUrl}/api/0/organizations/${encodeURIComponent(input.organizationSlug)}/chunk-upload/`,
    chunkSize: input.chunkSize,
    chunksPerRequest: input.uploads.chunksPerRequest,
    maxFileSize: input.maxFileSize,
    maxRequestSize: input.uploads.maxRequestBytes,
    concurrency: input.uploads.concurrency,
    hashAlgorithm: 'sha1',
    compression: [...CHUNK_COMPRESSION],
    accept: [...input.uploads.accept],
  };
}
