import { availableParallelism, tmpdir } from 'node:os';
import { z } from 'zod';
import { DEFAULT_CHUNK_SIZE } from '../domain/blobPolicy.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
/** Parsed source maps cost about three times their JSON: 256 MiB holds some 80 MiB of maps. */
export const DEFAULT_SYMBOLICATION_CACHE_BYTES = 256 * MiB;

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);
const bool = (def: boolean) => z.stringbool().default(def);
const optionalString = z.string().min(1).optional();

/** What the chunk-upload options may advertise (`accept`); the client picks its upload mode from this list. */
export const UPLOAD_ACCEPT_VALUES = ['release_files', 'artifact_bundles', 'artifact_bundles_v2'] as const;
export type UploadAccept = (typeof UPLOAD_ACCEPT_VALUES)[number];

/**
 * Every setting the service reads, with its default. `parseConfig(env)` is pure; nothing else reads process.env.
 * The README's configuration table mirrors this schema.
 */
export const configSchema = z
  .object({
    DATABASE_URL: z
      .string()
      .min(1)
      .refine(isPostgresUrl, 'not a parseable postgres:// URL, e.g. postgres://user:password@host:5432/database')
      .default('postgres://postgres@127.0.0.1:5432/artifact_assembler'),
    DATABASE_POOL_SIZE: int(10, 1, 200),
    // Kysely's migration lock is session-level: behind PgBouncer in transaction mode, migrate over a direct connection
    DATABASE_MIGRATION_URL: optionalString,
    REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
    // optional `{hash tag}`: in Redis Cluster every key of ours must hash to one slot (BullMQ's Lua scripts need it)
    REDIS_PREFIX: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]*(\{[A-Za-z0-9_-]+\}[A-Za-z0-9_-]*)?$/,
        'letters, digits, "_" and "-", with at most one {hash tag} (BullMQ forbids ":" in prefixes)',
      )
      .optional(),
    REDIS_CLUSTER_NODES: optionalString.transform(parseHostPorts('REDIS_CLUSTER_NODES')),
    REDIS_SENTINELS: optionalString.transform(parseHostPorts('REDIS_SENTINELS')),
    REDIS_SENTINEL_MASTER: optionalString,
    REDIS_USERNAME: optionalString,
    REDIS_PASSWORD: optionalString,
    REDIS_SENTINEL_PASSWORD: optionalString,
    REDIS_TLS: bool(false),
    STORAGE_DRIVER: z.enum(['fs', 's3']).default('fs'),
    STORAGE_DIR: z.string().min(1).default('./data/blobs'),
    STORAGE_DIRECT_IO: bool(true),
    S3_BUCKET: optionalString,
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_ENDPOINT: optionalString,
    S3_FORCE_PATH_STYLE: bool(false),
    S3_ACCESS_KEY_ID: optionalString,
    S3_SECRET_ACCESS_KEY: optionalString,
    S3_KEY_PREFIX: z.string().default(''),
    TEMP_DIR: z.string().min(1).default(tmpdir()),
    TEMP_SWEEP_INTERVAL_SECONDS: int(300, 1),
    WORKER_CONCURRENCY: int(2, 1, 64),
    ARCHIVE_HASH_THREADS: int(availableParallelism(), 0, 64),
    DASHBOARD_WORKER_CONCURRENCY: int(4, 1, 64),
    JOB_ATTEMPTS: int(5, 1, 100),
    WORKER_LOCK_DURATION_MS: int(30_000, 1000),
    WORKER_STALLED_INTERVAL_MS: int(30_000, 500),
    RELEASE_ARCHIVE_MIN_FILES: int(10, 1),
    MAX_FILE_SIZE: int(2 * GiB, 1),
    MAX_BUNDLE_FILES: int(20_000, 1),
    MAX_BUNDLE_UNCOMPRESSED_BYTES: int(4 * GiB, 1),
    MAX_MANIFEST_BYTES: int(16 * MiB, 1),
    BLOB_GC_GRACE_SECONDS: int(24 * 3600, 0),
    SNOWFLAKE_EPOCH: z.iso.datetime({ offset: true }).default('2022-08-08T00:00:00Z'),
    SNOWFLAKE_REGION_ID: int(0, 0, 4095),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: int(8000, 0, 65535),
    HTTP_BODY_LIMIT_BYTES: int(MiB, 1),
    PUBLIC_URL: z
      .url({ protocol: /^https?$/, error: 'an absolute http(s) URL, e.g. https://artifacts.example.com' })
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform(parseTrustProxy),
    BULL_BOARD_USER: optionalString,
    BULL_BOARD_PASSWORD: optionalString,
    UPLOAD_ACCEPT: z
      .string()
      .default(UPLOAD_ACCEPT_VALUES.join(','))
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.enum(UPLOAD_ACCEPT_VALUES)).min(1, 'name at least one of ' + UPLOAD_ACCEPT_VALUES.join(', '))),
    CHUNK_UPLOAD_CHUNKS_PER_REQUEST: int(64, 1, 1000),
    // sentry-cli always sends at least one whole chunk per request: below one chunk every upload would fail
    CHUNK_UPLOAD_MAX_REQUEST_BYTES: int(32 * MiB, DEFAULT_CHUNK_SIZE),
    CHUNK_UPLOAD_CONCURRENCY: int(8, 1, 255),
    SYMBOLICATION_CACHE_BYTES: int(DEFAULT_SYMBOLICATION_CACHE_BYTES, 0),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  });

/**
 * TRUST_PROXY, in the forms fastify's `trustProxy` takes: `false`/`true` (believe any peer), or a comma-separated list
 * of proxy addresses or CIDR ranges whose X-Forwarded-Proto/-Host/-For are believed.
 */
function parseTrustProxy(value: string): TrustProxy {
  const word = value.trim().toLowerCase();
  if (['false', '0', 'no', ''].includes(word)) return false;
  if (['true', 'yes'].includes(word)) return true;
  return word.split(',').map((s) => s.trim()).filter(Boolean);
}

export type TrustProxy = boolean | string[];

/** pg would otherwise fail on a malformed URL with a TypeError far from the setting (its value is not echoed: secrets). */
function isPostgresUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  return ['postgres:', 'postgresql:', 'socket:'].includes(new URL(value).protocol);
}

export interface HostPort {
  host: string;
  port: number;
}

/** `host:port,host:port` (IPv6 as `[::1]:port`) into a list; a malformed entry is a config error naming the setting. */
function parseHostPorts(setting: string) {
  return (value: string | undefined, ctx: z.RefinementCtx): HostPort[] | undefined => {
    if (value === undefined) return undefined;
    const out: HostPort[] = [];
    for (const entry of value.split(',').map((s) => s.trim()).filter(Boolean)) {
      const match = /^\[?([^\[\]]+?)\]?:(\d{1,5})$/.exec(entry);
      const port = match ? Number(match[2]) : 0;
      if (!match || port < 1 || port > 65535) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not host:port (${setting} is a comma-separated list)` });
        return undefined;
      }
      out.push({ host: match[1] as string, port });
    }
    if (out.length === 0) ctx.addIssue({ code: 'custom', message: `name at least one host:port` });
    return out;
  };
}

/** The default REDIS_PREFIX in cluster mode: hash-tagged, so queues, statuses, caches and locks share one slot. */
export const DEFAULT_CLUSTER_PREFIX = '{assembler}';

/** How to reach Redis: one server (REDIS_URL), a Redis Cluster, or a master found through Sentinel. */
export type RedisTarget =
  | { mode: 'standalone'; url: string; auth: RedisAuth }
  | { mode: 'cluster'; nodes: HostPort[]; auth: RedisAuth }
  | { mode: 'sentinel'; sentinels: HostPort[]; masterName: string; auth: RedisAuth; sentinelPassword: string | undefined };

/** Credentials and TLS that apply to every node (a managed cluster's nodes all take the same ones). */
export interface RedisAuth {
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
}

/** Rules that span several variables; checked on the raw environment so they are reported with the rest. */
function crossFieldProblems(env: Record<string, string>): string[] {
  const problems: string[] = [];
  if (env.STORAGE_DRIVER === 's3' && !env.S3_BUCKET) problems.push('S3_BUCKET: is required when STORAGE_DRIVER=s3');
  if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
    problems.push('S3_SECRET_ACCESS_KEY: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together');
  }
  if (env.REDIS_CLUSTER_NODES && env.REDIS_SENTINELS) {
    problems.push('REDIS_SENTINELS: set REDIS_CLUSTER_NODES or REDIS_SENTINELS, not both');
  }
  if (Boolean(env.REDIS_SENTINELS) !== Boolean(env.REDIS_SENTINEL_MASTER)) {
    problems.push('REDIS_SENTINEL_MASTER: REDIS_SENTINELS and REDIS_SENTINEL_MASTER (the master\'s name) go together');
  }
  if (env.REDIS_CLUSTER_NODES && env.REDIS_PREFIX !== undefined && !/\{[^{}]+\}/.test(env.REDIS_PREFIX)) {
    problems.push(
      `REDIS_PREFIX: "${env.REDIS_PREFIX}" has no {hash tag}; in Redis Cluster mode every key must share one slot, ` +
        `e.g. REDIS_PREFIX={${env.REDIS_PREFIX}} (unset, it defaults to ${DEFAULT_CLUSTER_PREFIX})`,
    );
  }
  if (Boolean(env.BULL_BOARD_USER) !== Boolean(env.BULL_BOARD_PASSWORD)) {
    problems.push('BULL_BOARD_PASSWORD: BULL_BOARD_USER and BULL_BOARD_PASSWORD go together');
  }
  return problems;
}

export type RawConfig = z.infer<typeof configSchema>;

export interface S3Settings {
  bucket: string;
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  keyPrefix: string;
}

export interface Config {
  databaseUrl: string;
  /** where `migrate` (and `all`) apply migrations: DATABASE_MIGRATION_URL, else DATABASE_URL */
  databaseMigrationUrl: string;
  databasePoolSize: number;
  redisUrl: string;
  /** the standalone server, cluster or Sentinel every Redis client of the service connects to */
  redis: RedisTarget;
  redisPrefix: string;
  storage: { driver: 'fs'; dir: string; /** large blobs written and read with O_DIRECT (STORAGE_DIRECT_IO); default on */ directIo?: boolean } | { driver: 's3'; s3: S3Settings };
  tempDir: string;
  /** how often a worker sweeps the temp folders of killed workers on its host (TEMP_SWEEP_INTERVAL_SECONDS) */
  tempSweepIntervalMs: number;
  workerConcurrency: number;
  /** threads that inflate and hash a release archive's small entries (ARCHIVE_HASH_THREADS); 0: the worker's own */
  archiveHashThreads: number;
  dashboardWorkerConcurrency: number;
  jobAttempts: number;
  /** a job whose worker stops renewing its lock (crash) is handed to another worker after about this long */
  workerLockDurationMs: number;
  workerStalledIntervalMs: number;
  releaseArchiveMinFiles: number;
  limits: {
    maxFileSize: number;
    maxBundleFiles: number;
    maxBundleUncompressedBytes: number;
    maxManifestBytes: number;
  };
  blobGcGraceSeconds: number;
  snowflake: { epochSeconds: number; regionId: number };
  logLevel: RawConfig['LOG_LEVEL'];
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    /** basic-auth credentials of /admin/queues; undefined: Bull Board is not served */
    bullBoard: { user: string; password: string } | undefined;
    /** the base of every absolute URL we answer (chunk upload, lookup downloads); undefined: the request's origin */
    publicUrl?: string | undefined;
    /** which X-Forwarded-* headers to believe when building the request's origin (fastify's trustProxy) */
    trustProxy?: TrustProxy;
  };
  /** where a worker-only process serves /metrics (job outcomes and durations); undefined: not served */
  workerMetricsPort: number | undefined;
  /** what `GET chunk-upload/` advertises and `POST chunk-upload/` enforces (chunk size is DEFAULT_CHUNK_SIZE) */
  uploads: UploadSettings;
  /** the in-memory budget of parsed source maps, texts and bundle listings of the symbolicate route, per process */
  symbolication: { cacheBytes: number };
}

export interface UploadSettings {
  accept: UploadAccept[];
  chunksPerRequest: number;
  /** sum of uncompressed chunk sizes in one request */
  maxRequestBytes: number;
  concurrency: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment into a typed config, reporting every problem at once. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const blankless = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
  const result = configSchema.safeParse(blankless);
  const problems = [
    ...(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`)),
    ...crossFieldProblems(blankless),
  ];
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  const c = result.data;
  return {
    databaseUrl: c.DATABASE_URL,
    databaseMigrationUrl: c.DATABASE_MIGRATION_URL ?? c.DATABASE_URL,
    databasePoolSize: c.DATABASE_POOL_SIZE,
    redisUrl: c.REDIS_URL,
    redis: redisTarget(c),
    redisPrefix: c.REDIS_PREFIX ?? (c.REDIS_CLUSTER_NODES ? DEFAULT_CLUSTER_PREFIX : ''),
    storage:
      c.STORAGE_DRIVER === 's3'
        ? {
            driver: 's3',
            s3: {
              bucket: c.S3_BUCKET as string,
              region: c.S3_REGION,
              endpoint: c.S3_ENDPOINT,
              forcePathStyle: c.S3_FORCE_PATH_STYLE,
              credentials:
                c.S3_ACCESS_KEY_ID && c.S3_SECRET_ACCESS_KEY
                  ? { accessKeyId: c.S3_ACCESS_KEY_ID, secretAccessKey: c.S3_SECRET_ACCESS_KEY }
                  : undefined,
              keyPrefix: c.S3_KEY_PREFIX,
            },
          }
        : { driver: 'fs', dir: c.STORAGE_DIR, directIo: c.STORAGE_DIRECT_IO },
    tempDir: c.TEMP_DIR,
    tempSweepIntervalMs: c.TEMP_SWEEP_INTERVAL_SECONDS * 1000,
    workerConcurrency: c.WORKER_CONCURRENCY,
    archiveHashThreads: c.ARCHIVE_HASH_THREADS,
    dashboardWorkerConcurrency: c.DASHBOARD_WORKER_CONCURRENCY,
    jobAttempts: c.JOB_ATTEMPTS,
    workerLockDurationMs: c.WORKER_LOCK_DURATION_MS,
    workerStalledIntervalMs: c.WORKER_STALLED_INTERVAL_MS,
    releaseArchiveMinFiles: c.RELEASE_ARCHIVE_MIN_FILES,
    limits: {
      maxFileSize: c.MAX_FILE_SIZE,
      maxBundleFiles: c.MAX_BUNDLE_FILES,
      maxBundleUncompressedBytes: c.MAX_BUNDLE_UNCOMPRESSED_BYTES,
      maxManifestBytes: c.MAX_MANIFEST_BYTES,
    },
    blobGcGraceSeconds: c.BLOB_GC_GRACE_SECONDS,
    snowflake: { epochSeconds: Math.floor(Date.parse(c.SNOWFLAKE_EPOCH) / 1000), regionId: c.SNOWFLAKE_REGION_ID },
    logLevel: c.LOG_LEVEL,
    http: {
      host: c.HOST,
      port: c.PORT,
      bodyLimitBytes: c.HTTP_BODY_LIMIT_BYTES,
      bullBoard: c.BULL_BOARD_USER && c.BULL_BOARD_PASSWORD ? { user: c.BULL_BOARD_USER, password: c.BULL_BOARD_PASSWORD } : undefined,
      publicUrl: c.PUBLIC_URL,
      trustProxy: c.TRUST_PROXY,
    },
    workerMetricsPort: c.METRICS_PORT,
    uploads: {
      accept: c.UPLOAD_ACCEPT,
      chunksPerRequest: c.CHUNK_UPLOAD_CHUNKS_PER_REQUEST,
      maxRequestBytes: c.CHUNK_UPLOAD_MAX_REQUEST_BYTES,
      concurrency: c.CHUNK_UPLOAD_CONCURRENCY,
    },
    symbolication: { cacheBytes: c.SYMBOLICATION_CACHE_BYTES },
  };
}

function redisTarget(c: RawConfig): RedisTarget {
  const auth: RedisAuth = { username: c.REDIS_USERNAME, password: c.REDIS_PASSWORD, tls: c.REDIS_TLS };
  if (c.REDIS_CLUSTER_NODES) return { mode: 'cluster', nodes: c.REDIS_CLUSTER_NODES, auth };
  if (c.REDIS_SENTINELS && c.REDIS_SENTINEL_MASTER) {
    return {
      mode: 'sentinel',
      sentinels: c.REDIS_SENTINELS,
      masterName: c.REDIS_SENTINEL_MASTER,
      auth,
      sentinelPassword: c.REDIS_SENTINEL_PASSWORD,
    };
  }
  return { mode: 'standalone', url: c.REDIS_URL, auth };
}
