#!/usr/bin/env node
// The `assembler` command: the one entry of every role (npm bin, npm scripts, the image). Runs the bundled CLI
// (dist/service/, scripts/bundle-service.mjs); builds it first when running from a fresh checkout. V8 reads some
// flags only at start-up (src/main/startupFlags.ts): when they are missing, the process replaces itself (execve: same
// pid, nothing left running) with one that has them (in NODE_OPTIONS or on its command line), before anything else loads.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const service = join(root, 'dist', 'service');
const entry = join(service, 'cli.js');
if (!existsSync(entry)) {
  const { buildIfStale } = await import('../scripts/build-if-stale.mjs');
  await buildIfStale();
}
const { startupRestart } = await import(join(service, 'startupFlags.js'));
const restart = startupRestart(process.env.NODE_OPTIONS, process.execArgv, process.argv[2]);
// process.execve is POSIX-only: elsewhere the CLI runs without the flags.
if (restart !== null && typeof process.execve === 'function') {
  const argv = [process.execPath, ...restart.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  process.execve(process.execPath, argv, { ...process.env, NODE_OPTIONS: restart.nodeOptions });
}
await import(entry);
