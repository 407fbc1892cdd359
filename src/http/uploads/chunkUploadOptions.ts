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
 * The upload parameters for one organisation. The URL is relative on purpose: sentry-cli resolves it against its
 * own SENTRY_URL, so the service never has to know the public host a proxy exposes it under (an absolute URL to an
 * internal host is the most common self-hosting failure).
 */
export function chunkUploadOptions(input: {
  organizationSlug: string;
  chunkSize: number;
  uploads: UploadSettings;
  maxFileSize: number;
}): ChunkUploadOptions {
  return {
    url: `/api/0/organizations/${encodeURIComponent(input.organizationSlug)}/chunk-upload/`,
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
