import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { findOrganizationBySlug } from '../../adapters/db/organizations.js';
import { findProjectBySlug } from '../../adapters/db/projects.js';
import { AppError } from '../../domain/errors.js';
import { formatStackTraces } from '../../domain/symbolication/formatStackTrace.js';
import { symbolicateJsBodySchema, toSymbolicateJsRequest } from '../../domain/symbolication/requestSchema.js';
import type { CachedValue } from '../../symbolication/artifactStore.js';
import { ByteBoundedCache } from '../../symbolication/byteBoundedCache.js';
import { symbolicateJs } from '../../symbolication/symbolicateJs.js';
import { openAppContext } from '../appContext.js';
import type { LazyEnv } from '../cli.js';

interface SymbolicateOptions {
  org: string;
  project: string;
  json?: boolean;
}

export function registerSymbolicateCommand(program: Command, env: LazyEnv): void {
  program
    .command('symbolicate <file>')
    .description("symbolicate a JavaScript stack trace (Symbolicator's request JSON) from the project's stored artifacts")
    .requiredOption('--org <slug>', 'organisation slug')
    .requiredOption('--project <slug>', 'project slug')
    .option('--json', "print the answer as JSON (the route's answer) instead of a readable stack trace")
    .action(async (file: string, opts: SymbolicateOptions) => {
      const request = toSymbolicateJsRequest(parseRequestFile(file, await readFile(file, 'utf8')));
      const config = env.config();
      const ctx = await openAppContext(config, env.logger('warn'), { migrate: false });
      try {
        const organization = await findOrganizationBySlug(ctx.db, opts.org);
        if (!organization) throw new AppError('not_found', `organization "${opts.org}" not found`);
        const project = await findProjectBySlug(ctx.db, organization.id, opts.project);
        if (!project) throw new AppError('not_found', `project "${opts.project}" not found in organization "${opts.org}"`);
        const cache = new ByteBoundedCache<CachedValue>(config.symbolication.cacheBytes);
        const answer = await symbolicateJs({ db: ctx.db, blobs: ctx.blobs, cache }, { organizationId: organization.id, projectId: project.id }, request);
        process.stdout.write(opts.json ? `${JSON.stringify(answer, null, 2)}\n` : formatStackTraces(answer));
      } finally {
        await ctx.close();
      }
    });
}

function parseRequestFile(file: string, text: string) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError('validation_failed', `${file} is not JSON`);
  }
  const parsed = symbolicateJsBodySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('validation_failed', `${file}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'not a symbolication request'}`);
  }
  return parsed.data;
}
