#!/usr/bin/env node
// The `assembler` command. Runs the compiled CLI; builds it first when running from a fresh checkout.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'main', 'cli.js');
if (!existsSync(entry)) {
  const { buildIfStale } = await import('../scripts/build-if-stale.mjs');
  await buildIfStale();
}
await import(entry);
