#!/usr/bin/env node
// The `assembler` command. Runs the compiled CLI; builds it first when running from a fresh checkout.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'main', 'cli.js');
if (!existsSync(entry)) {
  execFileSync('npx', ['tsc', '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
}
await import(entry);
