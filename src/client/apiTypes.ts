/**
 * The shapes the API answers, as the client sees them (Sentry's field names). Self-contained on purpose: a service
 * that imports `artifact-assembler/client` gets these types without any of the server's modules.
 */

export interface ReleaseProject {
  id: number;
  slug: string;
  name: string;
}

export interface Release {
  id: number;
  version: string;
  shortVersion: string;
  ref: string | null;
  url: string | null;
  dateCreated: string;
  dateReleased: string | null;
  projects: ReleaseProject[];
  fileCount?: number;
  [field: string]: unknown;
}

export interface ReleaseFile {
  id: string;
  name: string;
  dist: string | null;
  headers: Record<string, string>;
  size: number;
  sha1: string;
  dateCreated: string;
}

export interface ChunkUploadOptions {
  /** where chunks go: absolute, on the server's public base */
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

export type AssembleState = 'created' | 'assembling' | 'ok' | 'error' | 'not_found';

export interface AssembleAnswer {
  state: AssembleState;
  detail: string | null;
  missingChunks: string[];
}

/** One file the artifact lookup found; `url` downloads it (with the same token). */
export interface LookupMatch {
  id: string;
  type: string;
  url: string;
  debug_id?: string | null;
  abs_path?: string | null;
  file_type?: string | null;
  release?: string | null;
  dist?: string | null;
  [field: string]: unknown;
}

/** A dashboard as Sentry's dashboard endpoints take and give it (title, widgets, ...). */
export interface Dashboard {
  id?: string;
  title: string;
  widgets?: Record<string, unknown>[];
  [field: string]: unknown;
}
