import { Queue, QueueEvents } from 'bullmq';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { bullConnection } from '../../src/adapters/redis/connect.js';
import { createApiToken } from '../../src/auth/apiTokens.js';
import { parseConfig, type TrustProxy, type UploadSettings } from '../../src/config/config.js';
import { buildHttpApp, type HttpAppDeps } from '../../src/http/buildHttpApp.js';
import { DASHBOARD_QUEUE } from '../../src/jobs/dashboardJobs.js';
import { silentLogger, type Logger } from '../../src/logging/logger.js';
import { createProject } from '../../src/orgs/createProject.js';
import { AssembleHarness, type HarnessOptions } from '../support/assembleHarness.js';
import { TEST_REDIS_URL } from '../support/database.js';

export interface ApiHarnessOptions extends HarnessOptions {
  uploads?: Partial<UploadSettings>;
  bodyLimitBytes?: number;
  maxFileSize?: number;
  bullBoard?: { user: string; password: string };
  publicUrl?: string;
  trustProxy?: TrustProxy;
  /** where the app logs (silent by default) */
  logger?: Logger;
}

/**
 * The whole HTTP front over real Postgres, Redis, a disk blob store and BullMQ (an in-process assemble worker unless
 * `worker: false`), private to one test file: organisation `acme`, project `web`, and an organisation token.
 * `inject` for in-process requests; `listen` for a real port (sentry-cli).
 */
export class ApiHarness {
  private constructor(
    readonly assembly: AssembleHarness,
    readonly app: FastifyInstance,
    readonly deps: HttpAppDeps,
    readonly project: { id: string; slug: string },
    readonly token: string,
    private readonly dashboardQueue: Queue,
    private readonly dashboardQueueEvents: QueueEvents,
  ) {}

  static async create(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
    const assembly = await AssembleHarness.create(options);
    const prefix = assembly.prefix;
    const dashboardQueue = new Queue(DASHBOARD_QUEUE, { connection: bullConnection(TEST_REDIS_URL), prefix });
    const dashboardQueueEvents = new QueueEvents(DASHBOARD_QUEUE, { connection: bullConnection(TEST_REDIS_URL, { forBullWorker: true }), prefix });
    await dashboardQueueEvents.waitUntilReady();
    const project = await createProject(assembly.orgDeps(), { organizationSlug: assembly.organization.slug, name: 'Web', slug: 'web' });
    const { token } = await createApiToken(assembly.db, { organizationSlug: assembly.organization.slug, name: 'test' });
    const defaults = parseConfig({});
    const deps: HttpAppDeps = {
      db: assembly.db,
      redis: assembly.redis,
      redisPrefix: prefix,
      logger: options.logger ?? silentLogger,
      http: {
        bodyLimitBytes: options.bodyLimitBytes ?? defaults.http.bodyLimitBytes,
        bullBoard: options.bullBoard,
        publicUrl: options.publicUrl,
        trustProxy: options.trustProxy,
      },
      dashboardQueue,
      dashboardQueueEvents,
      blobs: assembly.blobs,
      assembleQueue: assembly.queue,
      statusStore: assembly.statusStore,
      uploads: { ...defaults.uploads, ...options.uploads },
      maxFileSize: options.maxFileSize ?? assembly.settings.maxFileSize,
    };
    const app = await buildHttpApp(deps);
    await app.ready();
    return new ApiHarness(assembly, app, deps, { id: project.id, slug: project.slug }, token, dashboardQueue, dashboardQueueEvents);
  }

  get db() {
    return this.assembly.db;
  }

  get organization() {
    return this.assembly.organization;
  }

  /** An in-process request carrying the harness token unless `headers.authorization` is given. */
  inject(options: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
    return this.app.inject({ ...options, headers: { authorization: `Bearer ${this.token}`, ...options.headers } });
  }

  /** Listens on a free port of 127.0.0.1 and returns the base URL (for SENTRY_URL). */
  async listen(): Promise<string> {
    await this.app.listen({ host: '127.0.0.1', port: 0 });
    const address = this.app.server.address();
    if (!address || typeof address === 'string') throw new Error('server has no TCP address');
    return `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.dashboardQueueEvents.close();
    await this.dashboardQueue.obliterate({ force: true }).catch(() => undefined);
    await this.dashboardQueue.close();
    await this.assembly.close();
  }
}
