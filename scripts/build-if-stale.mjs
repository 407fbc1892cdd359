#!/usr/bin/env node
// The build behind `npm start`, `npm run build`, `npx assembler`, `npm test` and `npm run bench`: when a source is
// newer than the last build, transpiles src/ into dist/src/ (the package's exported entries) and bundles the service
// into dist/service/ (what bin/assembler.js runs: scripts/bundle-service.mjs). It transpiles with esbuild, file by
// file, with no type check: on a loaded 2-core machine tsc took 30-60 s before /healthz could answer (even
// `tsc --noCheck` 14 s), esbuild about 1 s.
// Type checking is `npm test` (tsc -p tsconfig.json, which emits the same files) and `npm run typecheck`; the image
// compiles with tsc (Dockerfile). isolatedModules and verbatimModuleSyntax in tsconfig.json guarantee that every file
// transpiles alone. The stamp is written only after a build succeeds.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleService } from './bundle-service.mjs';

const defaultRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'scripts/build-if-stale.mjs', 'scripts/bundle-service.mjs'];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** The files tsconfig.build.json compiles: every .ts under src/ except tests. */
export function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

async function loadEsbuild() {
  try {
    return await import('esbuild');
  } catch {
    process.stderr.write(
      'artifact-assembler: cannot build dist/: esbuild (a devDependency) is not installed; run `npm ci` without ' +
        '--omit=dev, or use the Docker image\n',
    );
    process.exit(1);
  }
}

/** Builds when stale; answers whether it built. */
export async function buildIfStale(root = defaultRoot) {
  const stamp = join(root, 'dist', '.build-stamp');
  const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : -1;
  const changedAt = Math.max(...inputs.map((name) => join(root, name)).filter(existsSync).map(newestMtime));
  // A checkout built before the bundle existed has a fresh stamp and no dist/service/: that is stale too.
  if (changedAt < builtAt && existsSync(join(root, 'dist', 'service', 'cli.js'))) return false;
  const esbuild = await loadEsbuild();
  const entryPoints = sourceFiles(join(root, 'src'));
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: entryPoints.map((path) => relative(root, path)),
    outbase: '.',
    outdir: 'dist',
    tsconfig: 'tsconfig.build.json',
    format: 'esm',
    platform: 'node',
    target: 'es2023', // tsconfig.json's target, so both builds emit the same syntax
    sourcemap: true,
    logLevel: 'warning',
  });
  await bundleService(esbuild, root);
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildIfStale();
