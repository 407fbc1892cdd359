import type { Command } from 'commander';
import { migrateToLatest } from '../../adapters/db/migrate.js';
import { collectGarbageBlobs } from '../../adapters/files/index.js';
import { BLOB_RENEWAL_SECONDS } from '../../domain/blobPolicy.js';
import { openAppContext, type AppContext } from '../appContext.js';
import { connectDatabase } from '../services.js';
import { onShutdown } from '../shutdown.js';
import type { LazyEnv } from '../cli.js';
import { integerAtLeast, UsageError } from './usage.js';

type Stoppable = { close(): Promise<void> };

/** Long-running roles (one image, chosen by command) and the operational one-shots. */
export function registerRoleCommands(program: Command, env: LazyEnv): void {
  program
    .command('worker')
    .description('run the assemble worker (queue assemble-artifacts)')
    .action(() => runRoles(env, ['assemble'], false));

  program
    .command('dashboards')
    .description('run the dashboard worker (queue dashboard-widgets)')
    .action(() => runRoles(env, ['dashboards'], false));

  program
    .command('api')
    .description('run the HTTP server (health, metrics, organisation API, Bull Board) on HOST:PORT')
    .action(() => runRoles(env, ['api'], false));

  program
    .command('all')
    .description('run everything in one process (the default of npm start); applies migrations first')
    .action(() => runRoles(env, ['assemble', 'dashboards', 'api'], true));

  program
    .command('migrate')
    .description('apply pending database migrations (creating the database if it does not exist)')
    .action(async () => {
      const config = env.config();
      const db = await connectDatabase({ ...config, databaseUrl: config.databaseMigrationUrl }, { createIfMissing: true });
      try {
        const applied = await migrateToLatest(db);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      } finally {
        await db.destroy();
      }
    });

  program
    .command('gc')
    .description('delete blobs that nothing references, and temp files of killed blob writes, older than the grace period')
    .option('--grace-seconds <n>', 'override BLOB_GC_GRACE_SECONDS', integerAtLeast(0))
    .option('--force', `allow a grace period below the blob renewal interval (${BLOB_RENEWAL_SECONDS} s)`)
    .action(async (opts: { graceSeconds?: number; force?: boolean }) => {
      const config = env.config();
      const graceSeconds = opts.graceSeconds ?? config.blobGcGraceSeconds;
      // A blob reused within the renewal interval keeps its old timestamp: a shorter grace could delete it in use.
      if (graceSeconds < BLOB_RENEWAL_SECONDS && !opts.force) {
        throw new UsageError(
          `a grace period of ${graceSeconds} s is below the blob renewal interval (${BLOB_RENEWAL_SECONDS} s) and can ` +
            'delete blobs that are still in use; pass --force to run it anyway',
        );
      }
      const ctx = await openAppContext(config, env.logger(), { migrate: false });
      try {
        const { removed, removedTempFiles } = await collectGarbageBlobs(ctx, { graceSeconds });
        process.stdout.write(`removed ${removed} unreferenced blobs and ${removedTempFiles} abandoned blob temp files\n`);
      } finally {
        await ctx.close();
      }
    });
}

type Role = 'assemble' | 'dashboards' | 'api';

async function runRoles(env: LazyEnv, roles: Role[], migrate: boolean): Promise<void> {
  const config = env.config();
  const logger = env.logger();
  const ctx: AppContext = await openAppContext(config, logger, { migrate });
  const running: Stoppable[] = [];
  let metricsPort: number | undefined;
  // Each role's code is loaded only when the role runs: a worker process does not pay the memory of the HTTP stack.
  try {
    if (roles.includes('assemble')) running.push(await (await import('../assembleWorkerRole.js')).startAssembleWorker(ctx));
    if (roles.includes('dashboards')) running.push((await import('../dashboardWorkerRole.js')).startDashboardWorker(ctx));
    if (roles.includes('api')) running.push(await (await import('../httpRole.js')).startHttpServer(ctx));
    else if (config.workerMetricsPort !== undefined) {
      const metrics = await (await import('../workerMetricsServer.js')).startWorkerMetricsServer(config.http.host, config.workerMetricsPort);
      metricsPort = metrics.port;
      running.push(metrics);
    }
  } catch (err) {
    await Promise.all(running.map((r) => r.close()));
    await ctx.close();
    throw err;
  }
  logger.info({ roles, storage: config.storage.driver, concurrency: config.workerConcurrency, http: roles.includes('api') ? `${config.http.host}:${config.http.port}` : undefined, metricsPort }, 'started');
  onShutdown(logger, async () => {
    await Promise.all(running.map((r) => r.close()));
    await ctx.close();
  });
}
