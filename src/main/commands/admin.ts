import type { Command } from 'commander';
import { findOrganizationBySlug } from '../../adapters/db/organizations.js';
import { findReleaseByVersion } from '../../adapters/db/releases.js';
import { AppError } from '../../domain/errors.js';
import { createOrganization } from '../../orgs/createOrganization.js';
import { createProject } from '../../orgs/createProject.js';
import { createRelease } from '../../orgs/createRelease.js';
import { listReleaseArtifacts, type ReleaseArtifact } from '../../releases/listReleaseArtifacts.js';
import { openAppContext, type AppContext } from '../appContext.js';
import type { LazyEnv } from '../cli.js';

/** Runs a one-shot command with a context that is closed afterwards; logs only warnings so stdout stays clean. */
async function withContext<T>(env: LazyEnv, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await openAppContext(env.config(), env.logger('warn'), { migrate: false });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

function orgDeps(ctx: AppContext) {
  return { db: ctx.db, redis: ctx.redis, redisPrefix: ctx.config.redisPrefix, snowflake: ctx.config.snowflake };
}

const print = (line: string) => process.stdout.write(`${line}\n`);

export function registerAdminCommands(program: Command, env: LazyEnv): void {
  const org = program.command('org').description('organisations');
  org
    .command('create <name>')
    .description('create an organisation; prints its id and slug')
    .option('--slug <slug>', 'explicit slug (default: derived from the name)')
    .action((name: string, opts: { slug?: string }) =>
      withContext(env, async (ctx) => {
        const created = await createOrganization(orgDeps(ctx), { name, ...(opts.slug ? { slug: opts.slug } : {}) });
        print(`organization ${created.slug} id=${created.id} name=${JSON.stringify(created.name)}`);
      }),
    );

  const project = program.command('project').description('projects');
  project
    .command('create <name>')
    .description('create a project in an organisation; prints its id and slug')
    .requiredOption('--org <slug>', 'organisation slug')
    .option('--slug <slug>', 'explicit slug (default: derived from the name)')
    .option('--platform <platform>', 'platform, e.g. javascript')
    .action((name: string, opts: { org: string; slug?: string; platform?: string }) =>
      withContext(env, async (ctx) => {
        const created = await createProject(orgDeps(ctx), {
          organizationSlug: opts.org,
          name,
          ...(opts.slug ? { slug: opts.slug } : {}),
          ...(opts.platform ? { platform: opts.platform } : {}),
        });
        print(`project ${created.slug} id=${created.id} organization=${opts.org}`);
      }),
    );

  const release = program.command('release').description('releases');
  release
    .command('create <version>')
    .description('create a release (idempotent); prints its id')
    .requiredOption('--org <slug>', 'organisation slug')
    .option('--project <slug>', 'project slug to link (repeat for several)', (v: string, all: string[]) => [...all, v], [] as string[])
    .action((version: string, opts: { org: string; project?: string[] }) =>
      withContext(env, async (ctx) => {
        const { release: created, created: isNew } = await createRelease(orgDeps(ctx), {
          organizationSlug: opts.org,
          version,
          ...(opts.project && opts.project.length > 0 ? { projectSlugs: opts.project } : {}),
        });
        print(`release ${created.version} id=${created.id}${isNew ? '' : ' (already existed)'}`);
      }),
    );
  release
    .command('files <version>')
    .description('list every file of a release, artifact-index entries included')
    .requiredOption('--org <slug>', 'organisation slug')
    .option('--dist <name>', 'only this distribution')
    .option('--json', 'print one JSON array')
    .action((version: string, opts: { org: string; dist?: string; json?: boolean }) =>
      withContext(env, async (ctx) => {
        const artifacts = await releaseArtifacts(ctx, opts.org, version, opts.dist);
        if (opts.json) print(JSON.stringify(artifacts.map(toJson)));
        else printTable(artifacts);
      }),
    );
}

async function releaseArtifacts(ctx: AppContext, orgSlug: string, version: string, dist?: string) {
  const organization = await findOrganizationBySlug(ctx.db, orgSlug);
  if (!organization) throw new AppError('not_found', `organization "${orgSlug}" not found`);
  const release = await findReleaseByVersion(ctx.db, organization.id, version);
  if (!release) throw new AppError('not_found', `release "${version}" not found in organization "${orgSlug}"`);
  return listReleaseArtifacts(ctx, release.id, dist === undefined ? {} : { dist });
}

function toJson(a: ReleaseArtifact) {
  return { id: a.id, name: a.name, dist: a.dist, size: a.size, sha1: a.sha1, headers: a.headers, dateCreated: a.dateCreated.toISOString() };
}

function printTable(artifacts: ReleaseArtifact[]): void {
  if (artifacts.length === 0) {
    print('no files');
    return;
  }
  for (const a of artifacts) {
    print(`${a.name}\t${a.dist ?? '-'}\t${a.size}\t${a.sha1}\t${JSON.stringify(a.headers)}`);
  }
}
