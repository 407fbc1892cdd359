import type { Command } from 'commander';
import { createApiToken, listApiTokens, revokeApiToken } from '../../auth/apiTokens.js';
import { openAppContext, type AppContext } from '../appContext.js';
import type { LazyEnv } from '../cli.js';

async function withContext<T>(env: LazyEnv, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await openAppContext(env.config(), env.logger('warn'), { migrate: false });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

const print = (line: string) => process.stdout.write(`${line}\n`);

/** `assembler token create|revoke|list`: organisation API tokens for the HTTP API. */
export function registerTokenCommands(program: Command, env: LazyEnv): void {
  const token = program.command('token').description('organisation API tokens (Bearer) for the HTTP API');
  token
    .command('create')
    .description('create a token; prints only the token (it is shown once and stored hashed)')
    .requiredOption('--org <slug>', 'organisation slug')
    .option('--name <name>', 'a label for the token')
    .option('--user-id <id>', 'the user the token acts as (default: the organisation itself)')
    .action((opts: { org: string; name?: string; userId?: string }) =>
      withContext(env, async (ctx) => {
        const created = await createApiToken(ctx.db, { organizationSlug: opts.org, name: opts.name, userId: opts.userId });
        print(created.token);
      }),
    );
  token
    .command('revoke')
    .description('revoke a token by id')
    .argument('<id>', 'token id (see token list)')
    .action((id: string) =>
      withContext(env, async (ctx) => {
        await revokeApiToken(ctx.db, id);
        print(`revoked token ${id}`);
      }),
    );
  token
    .command('list')
    .description("list an organisation's tokens (never their values)")
    .requiredOption('--org <slug>', 'organisation slug')
    .action((opts: { org: string }) =>
      withContext(env, async (ctx) => {
        for (const t of await listApiTokens(ctx.db, opts.org)) {
          const state = t.revoked_at ? `revoked=${t.revoked_at.toISOString()}` : 'active';
          const used = t.last_used_at ? t.last_used_at.toISOString() : 'never';
          print(`${t.id}\tname=${JSON.stringify(t.name)}\tuser=${t.user_id ?? '-'}\t${state}\tlast_used=${used}`);
        }
      }),
    );
}
