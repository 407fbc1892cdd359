import { Command, CommanderError } from 'commander';
import { ConfigError, parseConfig } from '../config/config.js';
import { AppError } from '../domain/errors.js';
import { createLogger } from '../logging/logger.js';
import { registerAdminCommands } from './commands/admin.js';
import { registerAssembleCommands } from './commands/assemble.js';
import { registerRoleCommands } from './commands/roles.js';
import { registerSymbolicateCommand } from './commands/symbolicate.js';
import { registerTokenCommands } from './commands/tokens.js';
import { UsageError } from './commands/usage.js';
import { StartupError } from './services.js';

/** The `assembler` command line. The environment is parsed once, lazily, so `--help` works without any setup. */
export function buildProgram(env: Record<string, string | undefined> = process.env): Command {
  const program = new Command('assembler')
    .description('artifact-assembler: Sentry-compatible release artifact assembly (workers, HTTP front, admin)')
    .showHelpAfterError()
    .exitOverride();
  const lazy = {
    config: () => parseConfig(env),
    logger: (level?: string) => createLogger((level ?? parseConfig(env).logLevel) as 'info'),
  };
  registerRoleCommands(program, lazy);
  registerAdminCommands(program, lazy);
  registerAssembleCommands(program, lazy);
  registerTokenCommands(program, lazy);
  registerSymbolicateCommand(program, lazy);
  return program;
}

export type LazyEnv = {
  config: () => ReturnType<typeof parseConfig>;
  logger: (level?: string) => ReturnType<typeof createLogger>;
};

async function main(): Promise<void> {
  exitQuietlyOnClosedPipe();
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    process.exitCode = reportFatal(err);
  }
}

/** One clear line on stderr for errors a user can fix; a stack trace only for bugs. Returns the exit code. */
function reportFatal(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof UsageError) {
    process.stderr.write(`assembler: ${err.message}\n`);
    return 2;
  }
  if (err instanceof ConfigError || err instanceof StartupError) {
    process.stderr.write(`assembler: ${err.message}\n`);
    return 1;
  }
  if (err instanceof AppError) {
    process.stderr.write(`assembler: ${err.message}\n`);
    return 1;
  }
  process.stderr.write(`assembler: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}

/**
 * `assembler release files ... | head` closes stdout early; the next write fails with EPIPE. The reader has all it
 * wanted, so that ends the command quietly (as the Unix tools do) instead of with an unhandled-error stack.
 */
function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}

await main();
