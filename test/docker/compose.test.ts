import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { configSchema, parseConfig } from '../../src/config/config.js';

// js-yaml is in node_modules through jest (@istanbuljs/load-nyc-config); it reads compose's anchors and merge keys.
const { load } = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  deploy?: { replicas?: number };
  restart?: string;
};
type Compose = { services: Record<string, Service> };

/** Each role runs the image with the `assembler` command of its own name. */
const ROLES = ['migrate', 'api', 'worker', 'dashboards'];
const ONE_SHOTS = ['migrate', 'minio-bucket'];

/** `${NAME:-default}` as compose resolves it with nothing set in the environment. */
function withDefaults(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
}

describe('compose.yaml', () => {
  let services: Record<string, Service>;
  beforeAll(async () => {
    services = (load(await readFile(join(process.cwd(), 'compose.yaml'), 'utf8')) as Compose).services;
  });

  it('has Postgres, Redis, MinIO with its bucket created, and each role of the service', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'dashboards', 'migrate', 'minio', 'minio-bucket', 'postgres', 'redis', 'worker']);
    expect(services['minio-bucket']?.command?.join(' ')).toMatch(/mc mb --ignore-existing local\/artifacts/);
    for (const service of ROLES) {
      expect([service, services[service]?.command]).toEqual([service, [service]]);
      expect([service, services[service]?.image]).toEqual([service, 'artifact-assembler:local']);
    }
    expect(services.worker?.deploy?.replicas).toBeGreaterThanOrEqual(2);
  });

  it('gives every role only settings the config schema knows, which parse, and which point at the stack', () => {
    for (const service of ROLES) {
      const env = withDefaults(services[service]?.environment ?? {});
      const unknown = Object.keys(env).filter((name) => !(name in configSchema.shape));
      expect([service, unknown]).toEqual([service, []]);
      const config = parseConfig(env);
      expect(new URL(config.databaseUrl).host).toBe('postgres:5432');
      expect(new URL(config.redisUrl).host).toBe('redis:6379');
      expect(config.storage).toMatchObject({ driver: 's3', s3: { bucket: 'artifacts', endpoint: 'http://minio:9000', forcePathStyle: true } });
      // the S3 credentials are MinIO's root user
      const minio = withDefaults(services.minio?.environment ?? {});
      expect([env.S3_ACCESS_KEY_ID, env.S3_SECRET_ACCESS_KEY]).toEqual([minio.MINIO_ROOT_USER, minio.MINIO_ROOT_PASSWORD]);
    }
  });

  it('health-checks every long-running service and waits on health or completion, never on bare start', () => {
    for (const [name, service] of Object.entries(services)) {
      if (ONE_SHOTS.includes(name)) expect([name, service.restart]).toEqual([name, 'no']);
      else expect([name, (service.healthcheck?.test ?? []).length > 0]).toEqual([name, true]);
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[target]).toBeDefined();
        const expected = ONE_SHOTS.includes(target) ? 'service_completed_successfully' : 'service_healthy';
        expect([name, target, condition]).toEqual([name, target, expected]);
      }
    }
    for (const role of ['api', 'worker', 'dashboards']) {
      expect(Object.keys(services[role]?.depends_on ?? {}).sort()).toEqual(['migrate', 'minio-bucket', 'redis']);
    }
  });

  it('probes the roles on the ports they listen on', () => {
    const port = (service: string) => services[service]?.environment?.PORT ?? services[service]?.environment?.METRICS_PORT;
    expect(services.api?.healthcheck?.test?.join(' ')).toContain(`127.0.0.1:${port('api')}/readyz`);
    for (const role of ['worker', 'dashboards']) {
      expect(services[role]?.healthcheck?.test?.join(' ')).toContain(`127.0.0.1:${port(role)}/metrics`);
    }
  });
});
