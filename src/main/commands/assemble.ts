import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { AssemblerClient } from '../../client/assemblerClient.js';
import { findOrganizationBySlug } from '../../adapters/db/organizations.js';
import { findReleaseByVersion } from '../../adapters/db/releases.js';
import type { Db } from '../../adapters/db/connect.js';
import { AppError } from '../../domain/errors.js';
import { createAssembleQueue } from '../../jobs/assembleProducer.js';
import { bullPrefix } from '../../jobs/queues.js';
import { openAppContext } from '../appContext.js';
import type { LazyEnv } from '../cli.js';
import { integerAtLeast } from './usage.js';

interface AssembleOptions {
  org: string;
  release: string;
  wait?: boolean;
  timeout: number;
}

export function registerAssembleCommands(program: Command, env: LazyEnv): void {
  program
    .command('assemble <bundle>')
    .description('upload a release bundle zip as chunks and enqueue its assembly (exit 0: ok, or accepted when not waiting)')
    .requiredOption('--org <slug>', 'organisation slug')
    .requiredOption('--release <version>', 'release version (must exist)')
    .option('--wait', 'poll until the bundle is ok or error')
    .option('--timeout <seconds>', 'how long --wait polls', integerAtLeast(1), 300)
    .action(async (bundle: string, opts: AssembleOptions) => {
      await assertReadableFile(bundle);
      const config = env.config();
      const ctx = await openAppContext(config, env.logger('warn'), { migrate: false });
      const queue = createAssembleQueue(ctx.redis, bullPrefix(config.redisPrefix), config.jobAttempts);
      try {
        process.exitCode = await assembleBundle(new AssemblerClient({ ...ctx, queue }), ctx, bundle, opts);
      } finally {
        await queue.close();
        await ctx.close();
      }
    });
}

async function assembleBundle(
  client: AssemblerClient,
  ctx: { db: Db },
  bundlePath: string,
  opts: AssembleOptions,
): Promise<number> {
  const organization = await findOrganizationBySlug(ctx.db, opts.org);
  if (!organization) throw new AppError('not_found', `organization "${opts.org}" not found`);
  if (!(await findReleaseByVersion(ctx.db, organization.id, opts.release))) {
    throw new AppError('not_found', `release "${opts.release}" not found in organization "${opts.org}"`);
  }
  const uploaded = await client.uploadBundle(organization.id, bundlePath);
  const ref = { organizationId: organization.id, checksum: uploaded.checksum };
  let status: { state: string; detail: string | null } = await client.requestReleaseBundle({
    ...ref,
    version: opts.release,
    chunks: uploaded.chunks,
  });
  if (opts.wait && status.state !== 'ok' && status.state !== 'error') {
    status = await client.waitForReleaseBundle(ref, { timeoutMs: opts.timeout * 1000 });
  }
  const exitCode = exitCodeFor(status.state, Boolean(opts.wait));
  // A failed assembly is an error like any other: its line goes to stderr, so `2>/dev/null` never hides success.
  (exitCode === 0 ? process.stdout : process.stderr).write(`${status.state}${status.detail ? `: ${status.detail}` : ''}\n`);
  process.stdout.write(`checksum=${uploaded.checksum} chunks=${uploaded.chunks.length} bytes=${uploaded.size}\n`);
  return exitCode;
}

/** Checked before any connection is opened, so a typo in the path is one line rather than an upload that fails. */
async function assertReadableFile(path: string): Promise<void> {
  const problem = await stat(path).then(
    (s) => (s.isFile() ? null : 'not a file'),
    (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message),
  );
  if (problem) throw new AppError('not_found', `cannot read ${path}: ${problem}`);
}

/** With --wait only `ok` succeeds; without it, a bundle accepted for processing succeeds too (as sentry-cli does). */
export function exitCodeFor(state: string, waited: boolean): number {
  if (state === 'ok') return 0;
  if (!waited && (state === 'created' || state === 'assembling')) return 0;
  return 1;
}
