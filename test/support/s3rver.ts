import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Settings } from '../../src/config/config.js';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string }>;
}) => S3rverInstance;

// s3rver is CommonJS without type declarations; load it through require and describe the little we use.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export interface TestS3 {
  /** Settings for a bucket on the local server; spread and override `keyPrefix` as needed. */
  settings: S3Settings;
  endpoint: string;
  stop(): Promise<void>;
}

/** A real S3 API (s3rver) on 127.0.0.1 with a random port, a temp directory and one bucket. */
export async function startTestS3(bucket = 'test-bucket'): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'aa-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    settings: {
      bucket,
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      keyPrefix: '',
    },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
