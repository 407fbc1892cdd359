#!/usr/bin/env node
// Bundles the runnable service (the `assembler` command, every role) into dist/service/, the code bin/assembler.js
// runs. Why a bundle: file by file, an idle worker loads about 1,000 modules whose sources V8 keeps in memory, over
// half of them stored two bytes per character because one non-Latin-1 character (an em dash in a comment) makes a
// whole source UTF-16. Bundled, with comments and whitespace dropped and non-ASCII characters escaped, the same code
// is about a third of that, and an idle worker holds about 15 MB less (README, "Peak RSS").
// Identifiers are kept (no mangling), so stack traces keep their function names; the source map beside each file
// leads back to src/ (Node reads it only when run with --enable-source-maps).
// Each role's code still loads only when the role runs: `splitting` keeps every dynamic import() a separate chunk.
// Runs in `npm run build` (scripts/build-if-stale.mjs), `npm test`, `npm run bench` and the image's build stage.
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const defaultRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Packages that find a native addon next to their own files: they must stay in node_modules, where their paths
 * resolve (zstd-napi's addon; msgpackr's optional accelerator; pg's optional libpq binding, usually absent).
 */
const NATIVE_PACKAGES = ['zstd-napi', 'msgpackr-extract', 'pg-native'];

/**
 * Packages the service loads with require() at first use (src/domain/contentType.ts), from node_modules: the bundle
 * does not follow that require. External, a static import of one would load it from there too, at start, where
 * test/cli/idleWorkerModules.test.ts sees it, instead of a second copy hidden in the bundle.
 */
const LOADED_AT_FIRST_USE = ['mime-types'];

/**
 * CommonJS code bundled into ES modules finds no `require`, `__filename` or `__dirname`: each chunk defines them for
 * its own file. They resolve packages left in node_modules (msgpackr loads msgpackr-extract through them; Bull Board
 * resolves its UI's static files); no bundled package uses them to find files of its own on the paths we run.
 */
const COMMONJS_GLOBALS = [
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  "import { dirname as __bundleDirname } from 'node:path';",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
  'const require = __bundleCreateRequire(import.meta.url);',
  'const __filename = __bundleFileURLToPath(import.meta.url);',
  'const __dirname = __bundleDirname(__filename);',
].join('\n');

export async function bundleService(esbuild, root = defaultRoot) {
  const outdir = join(root, 'dist', 'service');
  await rm(outdir, { recursive: true, force: true }); // chunk names change from build to build
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/main/cli.ts', 'src/main/startupFlags.ts'],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    tsconfig: 'tsconfig.build.json',
    external: [...NATIVE_PACKAGES, ...LOADED_AT_FIRST_USE],
    banner: { js: COMMONJS_GLOBALS },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'linked',
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleService(await import('esbuild'));
