// Another service using `artifact-assembler/client` from the installed tarball (run by test/package/npmPack.test.ts
// with Node 24 in a folder whose node_modules holds the package alone). Prints one JSON line of what it saw.
import { readFile } from 'node:fs/promises';
import { registerHooks } from 'node:module';

// every module the entry pulls in, to show it needs nothing beyond Node itself
const resolved = [];
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    resolved.push(result.url);
    return result;
  },
});

const { ApiClient, ApiError } = await import('artifact-assembler/client');
const graph = [...resolved];

const { AA_URL: url, AA_TOKEN: token, AA_BUNDLE: bundlePath, AA_DEBUG_ID: debugId } = process.env;
const client = new ApiClient({ url, token });
const bundle = await readFile(bundlePath);

const release = await client.createRelease('acme', { version: 'pack@1.0.0', projects: ['web'] });
const answer = await client.uploadArtifactBundle('acme', bundle, { projects: ['web'], version: release.version }, { intervalMs: 50, timeoutMs: 30_000 });
const matches = await client.lookupArtifacts('acme', 'web', { debug_id: debugId });
const whole = matches.find((m) => m.type === 'bundle');
const downloaded = whole ? await client.download(whole.url) : Buffer.alloc(0);
const missing = await client.getRelease('acme', 'no-such-release').then(
  () => null,
  (err) => ({ isApiError: err instanceof ApiError, status: err.status, detail: err.detail }),
);
const deepImport = await import('artifact-assembler/dist/src/client/index.js').then(
  () => 'imported',
  (err) => err.code,
);

console.log(
  JSON.stringify({
    graph,
    release: release.version,
    answer,
    matchTypes: matches.map((m) => m.type),
    sameBytes: downloaded.equals(bundle),
    missing,
    deepImport,
  }),
);
