#!/usr/bin/env node
// Compiles the service (tsconfig.build.json) only when a source is newer than the last build, so a second
// `npm start` starts in seconds instead of waiting for tsc. The stamp is written only after tsc succeeds.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

export function buildIfStale() {
  const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : -1;
  const changedAt = Math.max(...inputs.map((name) => join(root, name)).filter(existsSync).map(newestMtime));
  if (changedAt < builtAt) return false;
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildIfStale();
