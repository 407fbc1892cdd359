import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, Readable } from 'node:stream';
import { buffer as streamToBuffer } from 'node:stream/consumers';
import type { S3Settings } from '../../config/config.js';
import { AppError } from '../../domain/errors.js';
import { assertValidBlobKey, type BlobStore } from './BlobStore.js';
import { translateS3Error } from './storageErrors.js';

const MiB = 1024 * 1024;

export interface S3BlobStoreOptions extends S3Settings {
  /** Multipart part size, and the largest buffer sent as one PUT. S3's minimum part size is 5 MiB. */
  partSize?: number;
  /** Parts uploaded in parallel by one multipart upload. */
  queueSize?: number;
  /** SDK attempts per request (the SDK retries throttling and 5xx itself before we translate). */
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  /** Socket idle timeout per request. */
  requestTimeoutMs?: number;
}

/**
 * Blobs as objects in one bucket, under an optional key prefix. Small buffers are one PutObject; streams and large
 * buffers go through lib-storage's `Upload`, which switches to multipart and aborts the upload on failure, so an
 * object only becomes visible once complete.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.keyPrefix);
    this.partSize = Math.max(options.partSize ?? 8 * MiB, 5 * MiB);
    this.queueSize = options.queueSize ?? 4;
    this.client = new S3Client(clientConfig(options));
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    const Key = this.objectKey(key);
    if (Buffer.isBuffer(body) && body.length <= this.partSize) {
      await this.call(key, 'put', () =>
        this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.length })),
      );
      return;
    }
    let sourceError: unknown;
    if (!Buffer.isBuffer(body)) body.once('error', (err) => (sourceError ??= err));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: body },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      // A broken source is the caller's error, not the store's; it may be masked by a failed abort request.
      throw sourceError ?? translateS3Error(err, key, 'put');
    }
  }

  async get(key: string): Promise<Readable> {
    const { body } = await this.getObject(key, 'get');
    return translateStreamErrors(body, (err) => translateS3Error(err, key, 'get'));
  }

  async getBuffer(key: string, scratch: Buffer): Promise<Buffer> {
    const { body, size } = await this.getObject(key, 'getBuffer');
    try {
      if (size === undefined) return await streamToBuffer(body);
      const target = size <= scratch.length ? scratch.subarray(0, size) : Buffer.allocUnsafe(size);
      await copyInto(body, target);
      return target;
    } catch (err) {
      body.destroy();
      throw translateS3Error(err, key, 'getBuffer');
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    // S3 answers a delete of an absent key with 204; some compatible stores answer 404, which is fine too.
    await this.call(key, 'delete', () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }))).catch(
      (err: unknown) => {
        if (!(err instanceof AppError && err.code === 'not_found')) throw err;
      },
    );
  }

  async exists(key: string): Promise<boolean> {
    const Key = this.objectKey(key);
    try {
      await this.call(key, 'exists', () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key })));
      return true;
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') return false;
      throw err;
    }
  }

  /**
   * S3 writes no temp objects: a single PUT is atomic, and a multipart upload that a killed process never completed
   * is invisible and left to the bucket's `AbortIncompleteMultipartUpload` lifecycle rule (see README).
   */
  async removeAbandonedWrites(_olderThan: Date): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async getObject(key: string, operation: string): Promise<{ body: Readable; size: number | undefined }> {
    const Key = this.objectKey(key);
    const response = await this.call(key, operation, () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key })));
    if (!(response.Body instanceof Readable)) {
      throw new AppError('internal', 'S3 GetObject returned no Node.js stream', { details: { key } });
    }
    return { body: response.Body, size: response.ContentLength };
  }

  private objectKey(key: string): string {
    assertValidBlobKey(key);
    return this.prefix + key;
  }

  private async call<T>(key: string, operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translateS3Error(err, key, operation);
    }
  }
}

function clientConfig(options: S3BlobStoreOptions): S3ClientConfig {
  return {
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts ?? 3,
    // Only send checksums S3 requires: many S3-compatible stores reject the newer default (CRC32 trailers).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      requestTimeout: options.requestTimeoutMs ?? 120_000,
    },
  };
}

/** '' stays ''; 'a/b' and '/a/b/' become 'a/b/', so a prefix always names a folder. */
export function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/**
 * Copies a response body of `target.length` bytes (its Content-Length) into `target`. A body that ends early is a
 * connection cut short, which the failure policy retries; one that runs long would overflow and is refused.
 */
async function copyInto(body: Readable, target: Buffer): Promise<void> {
  let offset = 0;
  for await (const piece of body) {
    const bytes = piece as Uint8Array;
    if (offset + bytes.length > target.length) {
      throw new AppError('internal', `S3 body is longer than its Content-Length of ${target.length} bytes`);
    }
    target.set(bytes, offset);
    offset += bytes.length;
  }
  if (offset < target.length) {
    throw new AppError('storage_unavailable', `S3 body ended after ${offset} of ${target.length} bytes`);
  }
}

/** Re-emits the body through a PassThrough so that mid-stream network failures arrive as AppErrors too. */
function translateStreamErrors(body: Readable, translate: (err: unknown) => unknown): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  body.on('error', (err) => out.destroy(translate(err) as Error));
  out.on('close', () => {
    if (!body.destroyed) body.destroy();
  });
  body.pipe(out);
  return out;
}
