import type { Readable } from 'node:stream';
import type { Db } from '../db/connect.js';
import type { BlobStore } from '../storage/BlobStore.js';

/** What the file layer needs: the database (or an open transaction) and the blob store. */
export interface FileStoreDeps {
  db: Db;
  blobs: BlobStore;
}

export interface StoredBlob {
  id: string;
  /** SHA-1 hex of the uncompressed content */
  checksum: string;
  /** uncompressed size in bytes */
  size: number;
}

export interface StoredFile {
  id: string;
  size: number;
  checksum: string;
}

/** Where a blob's bytes live: inline in the row, or under `path` in the blob store, encoded per `compression`. */
export interface BlobLocation {
  path: string | null;
  inline_data: Buffer | null;
  compression: string;
  /** uncompressed size, when known: small blobs are then decompressed in one call instead of streamed */
  size?: number | string | null;
}

export interface FileMetaInput {
  name: string;
  type: string;
  headers?: Record<string, unknown>;
  /**
   * When present (even null), `putFile` records a normalised `Content-Type` header: the given type without its
   * parameters, else a guess from `name`, else application/octet-stream.
   */
  contentType?: string | null;
}

/** A stored file's bytes on their way out: release files, archive members, artifact bundles and their members. */
export interface DownloadContent {
  stream: Readable;
  size: number;
  contentType: string;
  /** the name a download is saved as: the last path segment of the artifact's name, whitespace collapsed */
  filename: string;
}
