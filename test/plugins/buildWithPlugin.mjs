// Builds the app in APP_DIR with one bundler (argv[2]: vite | webpack | rollup | esbuild) through the tool's own Node
// API, with that tool's Sentry plugin configured as its README tells users. Run as a child process by
// bundlerPlugins.test.ts so each build gets its own environment (HOME, the new CLI's config dir, telemetry off) and
// the bundlers run outside jest's module sandbox. Settings come from the environment: APP_DIR, OUT_DIR, SENTRY_TARGET
// (JSON: url, org, project, authToken, release).
import { join } from 'node:path';

const tool = process.argv[2];
const appDir = process.env.APP_DIR;
const outDir = process.env.OUT_DIR;
const target = JSON.parse(process.env.SENTRY_TARGET ?? '{}');
if (!appDir || !outDir || !target.url) throw new Error('APP_DIR, OUT_DIR and SENTRY_TARGET are required');

/** The options every plugin shares, as its docs show them; telemetry off because this machine has no network. */
const sentryOptions = {
  url: target.url,
  org: target.org,
  project: target.project,
  authToken: target.authToken,
  release: { name: target.release },
  sourcemaps: { assets: [join(outDir, '**')] },
  telemetry: false,
  debug: process.env.PLUGIN_DEBUG === '1',
};

const entry = join(appDir, 'src', 'main.js');

async function buildWithVite() {
  const { build } = await import('vite');
  const { sentryVitePlugin } = await import('@sentry/vite-plugin');
  await build({
    root: appDir,
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: true, lib: undefined, rollupOptions: { input: entry } },
    plugins: [sentryVitePlugin(sentryOptions)],
  });
}

async function buildWithWebpack() {
  const { default: webpack } = await import('webpack');
  const { sentryWebpackPlugin } = await import('@sentry/webpack-plugin');
  const compiler = webpack({
    mode: 'production',
    context: appDir,
    entry,
    output: { path: outDir, filename: '[name].js', chunkFilename: '[name].[contenthash].js', clean: true },
    devtool: 'source-map',
    plugins: [sentryWebpackPlugin(sentryOptions)],
  });
  await new Promise((resolve, reject) => {
    compiler.run((err, stats) => {
      if (err) return reject(err);
      if (stats?.hasErrors()) return reject(new Error(stats.toString('errors-only')));
      compiler.close(() => resolve(undefined));
    });
  });
}

async function buildWithRollup() {
  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  const { sentryRollupPlugin } = await import('@sentry/rollup-plugin');
  const bundle = await rollup({ input: entry, plugins: [nodeResolve(), sentryRollupPlugin(sentryOptions)] });
  await bundle.write({ dir: outDir, format: 'es', sourcemap: true });
  await bundle.close();
}

async function buildWithEsbuild() {
  const esbuild = await import('esbuild');
  const { sentryEsbuildPlugin } = await import('@sentry/esbuild-plugin');
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    format: 'esm',
    outdir: outDir,
    sourcemap: true,
    minify: true,
    logLevel: 'warning',
    plugins: [sentryEsbuildPlugin(sentryOptions)],
  });
}

const builders = { vite: buildWithVite, webpack: buildWithWebpack, rollup: buildWithRollup, esbuild: buildWithEsbuild };
const run = builders[tool];
if (!run) throw new Error(`unknown bundler ${tool}`);
await run();
