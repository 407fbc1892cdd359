import { availableParallelism } from 'node:os';
import { ConfigError, parseConfig } from './config.js';

describe('parseConfig', () => {
  it('gives documented defaults for an empty environment', () => {
    const c = parseConfig({});
    expect(c.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/artifact_assembler');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.storage).toEqual({ driver: 'fs', dir: './data/blobs', directIo: true });
    expect(c.releaseArchiveMinFiles).toBe(10);
    expect(c.limits.maxFileSize).toBe(2 ** 31);
    expect(c.snowflake.epochSeconds).toBe(1659916800);
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8000, bodyLimitBytes: 1024 * 1024, bullBoard: undefined, publicUrl: undefined, trustProxy: false });
  });

  it('reads the upload settings: the accept list, trimmed and checked, and the chunk request limits', () => {
    expect(parseConfig({}).uploads).toEqual({
      accept: ['release_files', 'artifact_bundles', 'artifact_bundles_v2'],
      chunksPerRequest: 64,
      maxRequestBytes: 32 * 1024 * 1024,
      concurrency: 8,
    });
    expect(parseConfig({ UPLOAD_ACCEPT: ' release_files , ' }).uploads.accept).toEqual(['release_files']);
    expect(() => parseConfig({ UPLOAD_ACCEPT: 'release_files,debug_files' })).toThrow(/UPLOAD_ACCEPT/);
    expect(() => parseConfig({ UPLOAD_ACCEPT: ',' })).toThrow(/UPLOAD_ACCEPT/);
    expect(() => parseConfig({ CHUNK_UPLOAD_MAX_REQUEST_BYTES: String(4 * 1024 * 1024) })).toThrow(/CHUNK_UPLOAD_MAX_REQUEST_BYTES/);
    expect(parseConfig({ METRICS_PORT: '9464' }).workerMetricsPort).toBe(9464);
    expect(parseConfig({}).workerMetricsPort).toBeUndefined();
  });

  it('turns direct blob writes off with STORAGE_DIRECT_IO=false', () => {
    expect(parseConfig({ STORAGE_DIRECT_IO: 'false' }).storage).toEqual({ driver: 'fs', dir: './data/blobs', directIo: false });
    expect(() => parseConfig({ STORAGE_DIRECT_IO: 'sometimes' })).toThrow(/STORAGE_DIRECT_IO/);
  });

  it('hashes archive entries on one thread per CPU unless ARCHIVE_HASH_THREADS says otherwise (0: the worker\'s own)', () => {
    expect(parseConfig({}).archiveHashThreads).toBe(availableParallelism());
    expect(parseConfig({ ARCHIVE_HASH_THREADS: '0' }).archiveHashThreads).toBe(0);
    expect(parseConfig({ ARCHIVE_HASH_THREADS: '3' }).archiveHashThreads).toBe(3);
    expect(() => parseConfig({ ARCHIVE_HASH_THREADS: '-1' })).toThrow(/ARCHIVE_HASH_THREADS/);
  });

  it('parses booleans as words, not by truthiness', () => {
    const base = { STORAGE_DRIVER: 's3', S3_BUCKET: 'b' };
    const off = parseConfig({ ...base, S3_FORCE_PATH_STYLE: 'false' });
    const on = parseConfig({ ...base, S3_FORCE_PATH_STYLE: 'true' });
    expect(off.storage.driver === 's3' && off.storage.s3.forcePathStyle).toBe(false);
    expect(on.storage.driver === 's3' && on.storage.s3.forcePathStyle).toBe(true);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      parseConfig({ STORAGE_DRIVER: 's3', WORKER_CONCURRENCY: 'zero', REDIS_PREFIX: 'a:b' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/WORKER_CONCURRENCY/);
    expect(problems).toMatch(/REDIS_PREFIX/);
    expect(problems).toMatch(/S3_BUCKET: is required when STORAGE_DRIVER=s3/);
  });

  it('reads the HTTP body limit and the Bull Board credentials, which go together', () => {
    const c = parseConfig({ HTTP_BODY_LIMIT_BYTES: '2048', BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'pw' });
    expect(c.http.bodyLimitBytes).toBe(2048);
    expect(c.http.bullBoard).toEqual({ user: 'ops', password: 'pw' });
    expect(() => parseConfig({ BULL_BOARD_USER: 'ops' })).toThrow(/BULL_BOARD_USER and BULL_BOARD_PASSWORD go together/);
    expect(() => parseConfig({ HTTP_BODY_LIMIT_BYTES: '0' })).toThrow(/HTTP_BODY_LIMIT_BYTES/);
  });

  it('reads PUBLIC_URL (absolute http(s), no trailing slash) and TRUST_PROXY in the forms fastify takes', () => {
    expect(parseConfig({}).http).toMatchObject({ publicUrl: undefined, trustProxy: false });
    expect(parseConfig({ PUBLIC_URL: 'https://a.example.com/sentry/' }).http.publicUrl).toBe('https://a.example.com/sentry');
    expect(() => parseConfig({ PUBLIC_URL: '/relative' })).toThrow(/PUBLIC_URL/);
    expect(() => parseConfig({ PUBLIC_URL: 'ftp://a.example.com' })).toThrow(/PUBLIC_URL/);
    expect(parseConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(parseConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).http.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });

  it('connects to a Redis Cluster on REDIS_CLUSTER_NODES, with a hash-tagged prefix that defaults to {assembler}', () => {
    const c = parseConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, [::1]:7001', REDIS_PASSWORD: 'pw', REDIS_TLS: 'true' });
    expect(c.redis).toEqual({
      mode: 'cluster',
      nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '::1', port: 7001 }],
      auth: { username: undefined, password: 'pw', tls: true },
    });
    expect(c.redisPrefix).toBe('{assembler}');
    expect(parseConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_PREFIX: 'team-{aa}' }).redisPrefix).toBe('team-{aa}');
    expect(parseConfig({ REDIS_PREFIX: '{aa}' }).redis.mode).toBe('standalone');
    expect(() => parseConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_PREFIX: 'aa' })).toThrow(/REDIS_PREFIX: "aa" has no \{hash tag\}/);
    expect(() => parseConfig({ REDIS_CLUSTER_NODES: 'a' })).toThrow(/REDIS_CLUSTER_NODES: "a" is not host:port/);
    expect(() => parseConfig({ REDIS_PREFIX: '{a}{b}' })).toThrow(/REDIS_PREFIX/);
  });

  it('connects through Sentinel when REDIS_SENTINELS and REDIS_SENTINEL_MASTER are set, which go together', () => {
    const c = parseConfig({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_MASTER: 'mymaster' });
    expect(c.redis).toMatchObject({ mode: 'sentinel', masterName: 'mymaster', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }] });
    expect(c.redisPrefix).toBe('');
    expect(() => parseConfig({ REDIS_SENTINELS: 's1:26379' })).toThrow(/REDIS_SENTINEL_MASTER/);
    expect(() => parseConfig({ REDIS_SENTINELS: 's:1', REDIS_SENTINEL_MASTER: 'm', REDIS_CLUSTER_NODES: 'a:1' })).toThrow(/not both/);
    expect(parseConfig({}).redis).toMatchObject({ mode: 'standalone', url: 'redis://127.0.0.1:6379' });
  });

  it('migrates over DATABASE_MIGRATION_URL when set (a direct connection behind a transaction pooler), else DATABASE_URL', () => {
    expect(parseConfig({ DATABASE_URL: 'postgres://bouncer/db' }).databaseMigrationUrl).toBe('postgres://bouncer/db');
    expect(parseConfig({ DATABASE_URL: 'postgres://bouncer/db', DATABASE_MIGRATION_URL: 'postgres://direct/db' }).databaseMigrationUrl).toBe('postgres://direct/db');
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ PORT: '' }).http.port).toBe(8000);
  });

  it('refuses a DATABASE_URL that is not a postgres URL, naming the setting but not echoing the value', () => {
    for (const url of ['postgres://u:p@host:notaport/db', 'localhost:5432/db', 'mysql://u@h/db']) {
      expect(() => parseConfig({ DATABASE_URL: url })).toThrow(/DATABASE_URL: not a parseable postgres:\/\/ URL/);
    }
    expect(() => parseConfig({ DATABASE_URL: 'postgres://u:s3cret@host:x/db' })).not.toThrow(/s3cret/);
    expect(parseConfig({ DATABASE_URL: 'postgresql://u@db.internal/app' }).databaseUrl).toBe('postgresql://u@db.internal/app');
  });
});
