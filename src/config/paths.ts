import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';

/** The repository (or image) root: the nearest folder above this module that holds `migrations/`. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'migrations')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error('cannot find the project root (no migrations/ folder above the code)');
    dir = parent;
  }
}

export function migrationsDir(): string {
  return join(projectRoot(), 'migrations');
}
