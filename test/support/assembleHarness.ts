import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'bullmq';
import { sql } from 'kysely';
import { storeChunks } from '../../src/adapters/files/index.js';
import { AssembleStatusStore } from '../../src/adapters/redis/assembleStatusStore.js';
import { createRedis, bullConnection, type Redis } from '../../src/adapters/redis/connect.js';
import type { BlobStore } from '../../src/adapters/storage/BlobStore.js';
import { createBlobStore } from '../../src/adapters/storage/createBlobStore.js';
import { ASSEMBLE_TASK } from '../../src/domain/assembleStatus.js';
import { createAssembleQueue, requestReleaseBundleAssembly, type AssembleQueue } from '../../src/jobs/assembleProducer.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createOrganization } from '../../src/orgs/createOrganization.js';
import { createRelease } from '../../src/orgs/createRelease.js';
import { listReleaseArtifacts } from '../../src/releases/listReleaseArtifacts.js';
import type { AssembleSettings } from '../../src/workers/assemble/assembleReleaseBundle.js';
import { createAssembleWorker } from '../../src/workers/assemble/createAssembleWorker.js';
import { createTestDatabase, TEST_REDIS_URL, testRedisPrefix, type TestDatabase } from './database.js';

export const TEST_SNOWFLAKE = { epochSeconds: 1659916800, regionId: 0 };

export interface HarnessOptions {
  settings?: Partial<AssembleSettings>;
  /** start an in-process worker (default true) */
  worker?: boolean;
  concurrency?: number;
  attempts?: number;
  /** the assemble status TTL (default 600 s): short to see what happens once a status expired */
  statusTtlSeconds?: number;
}

/** Real Postgres, Redis, disk blob store and BullMQ, each private to one test file. */
export class AssembleHarness {
  private workers: Worker[] = [];

  private constructor(
    readonly testDb: TestDatabase,
    readonly redis: Redis,
    readonly prefix: string,
    readonly blobs: BlobStore,
    readonly storageDir: string,
    readonly tempDir: string,
    readonly statusStore: AssembleStatusStore,
    readonly queue: AssembleQueue,
    readonly settings: AssembleSettings,
    readonly organization: { id: string; slug: string },
  ) {}

  static async create(options: HarnessOptions = {}): Promise<AssembleHarness> {
    const testDb = await createTestDatabase();
    const prefix = testRedisPrefix();
    const redis = createRedis(TEST_REDIS_URL);
    const storageDir = await mkdtemp(join(tmpdir(), 'aa-blobs-'));
    const tempDir = await mkdtemp(join(tmpdir(), 'aa-work-'));
    const blobs = await createBlobStore({ driver: 'fs', dir: storageDir });
    const statusStore = new AssembleStatusStore(redis, prefix, options.statusTtlSeconds);
    const queue = createAssembleQueue(bullConnection(TEST_REDIS_URL), prefix, options.attempts ?? 3);
    const settings: AssembleSettings = {
      tempDir,
      releaseArchiveMinFiles: 10,
      maxFileSize: 2 ** 31,
      bundleLimits: { maxBundleFiles: 20_000, maxBundleUncompressedBytes: 2 ** 32, maxManifestBytes: 16 * 2 ** 20 },
      ...options.settings,
    };
    const orgDeps = { db: testDb.db, redis, redisPrefix: prefix, snowflake: TEST_SNOWFLAKE };
    const org = await createOrganization(orgDeps, { name: 'Acme', slug: 'acme' });
    const harness = new AssembleHarness(testDb, redis, prefix, blobs, storageDir, tempDir, statusStore, queue, settings, org);
    if (options.worker !== false) harness.startWorker(options.concurrency ?? 2);
    return harness;
  }

  get db() {
    return this.testDb.db;
  }

  orgDeps() {
    return { db: this.db, redis: this.redis, redisPrefix: this.prefix, snowflake: TEST_SNOWFLAKE };
  }

  startWorker(concurrency = 2): Worker {
    const worker = createAssembleWorker(
      { db: this.db, blobs: this.blobs, statusStore: this.statusStore, settings: this.settings },
      { connection: bullConnection(TEST_REDIS_URL, { forBullWorker: true }), prefix: this.prefix, concurrency, logger: silentLogger },
    );
    this.workers.push(worker);
    return worker;
  }

  async createRelease(version: string): Promise<{ id: string; version: string }> {
    const { release } = await createRelease(this.orgDeps(), { organizationSlug: this.organization.slug, version });
    return release;
  }

  async upload(bundle: Buffer, options: { chunkSize?: number; organizationId?: string } = {}) {
    return storeChunks(
      { db: this.db, blobs: this.blobs },
      options.organizationId ?? this.organization.id,
      Readable.from([bundle]),
      options.chunkSize ? { chunkSize: options.chunkSize } : {},
    );
  }

  request(version: string, checksum: string, chunks: string[]) {
    return requestReleaseBundleAssembly(
      { db: this.db, queue: this.queue, statusStore: this.statusStore },
      { organizationId: this.organization.id, version, checksum, chunks },
    );
  }

  /** Uploads, requests assembly and waits for `ok` or `error`. */
  async assemble(bundle: Buffer, version = '1.0.0', options: { chunkSize?: number } = {}) {
    const uploaded = await this.upload(bundle, options);
    const first = await this.request(version, uploaded.checksum, uploaded.chunks);
    if (first.state === 'error' || first.state === 'ok') return { ...first, checksum: uploaded.checksum };
    return { ...(await this.waitForStatus(uploaded.checksum)), checksum: uploaded.checksum };
  }

  /** `pollMs`: how often the status is read (the bench reads it often, so that its clock stops near the `ok`). */
  async waitForStatus(checksum: string, timeoutMs = 30_000, pollMs = 50) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.statusStore.get({ scope: this.organization.id, checksum, task: ASSEMBLE_TASK.releaseBundle });
      if (status && (status.state === 'ok' || status.state === 'error')) return status;
      if (Date.now() > deadline) throw new Error(`assembly of ${checksum} still ${status?.state ?? 'absent'} after ${timeoutMs} ms`);
      await sleep(pollMs);
    }
  }

  async artifacts(releaseId: string, dist?: string | null) {
    return listReleaseArtifacts({ db: this.db, blobs: this.blobs }, releaseId, dist === undefined ? {} : { dist });
  }

  async count(table: 'file' | 'release_file' | 'file_blob' | 'file_blob_index' | 'distribution'): Promise<number> {
    const row = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(this.db);
    return Number(row.rows[0]?.n ?? 0);
  }

  /** File rows that no release file references: what a crash or a race must never leave behind. */
  async orphanedFiles(): Promise<number> {
    const row = await sql<{ n: string }>`
      SELECT count(*) AS n FROM file f WHERE NOT EXISTS (SELECT 1 FROM release_file rf WHERE rf.file_id = f.id)`.execute(this.db);
    return Number(row.rows[0]?.n ?? 0);
  }

  async tempEntries(): Promise<string[]> {
    return readdir(this.tempDir);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await this.queue.obliterate({ force: true }).catch(() => undefined);
    await this.queue.close();
    const keys = await this.redis.keys(`${this.prefix}*`);
    if (keys.length > 0) await this.redis.del(...keys);
    this.redis.disconnect();
    await this.blobs.close();
    await this.testDb.drop();
    await rm(this.storageDir, { recursive: true, force: true });
    await rm(this.tempDir, { recursive: true, force: true });
  }
}
