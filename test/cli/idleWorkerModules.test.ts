import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AssembleHarness } from '../support/assembleHarness.js';
import { WorkerProcess, harnessWorkerEnv } from '../support/workerProcess.js';

// An idle `assembler worker` should hold only what a worker uses (issue: idle RSS). What it has loaded is read from
// the process itself, through a probe preloaded with NODE_OPTIONS (kept by bin/assembler.js after its own flags).

const PROBE = pathToFileURL(join(process.cwd(), 'test', 'support', 'loadedModulesProbe.mjs')).href;

interface Loaded {
  builtins: string[];
  files: string[];
}

async function loadedBy(worker: WorkerProcess, out: string): Promise<Loaded> {
  worker.child.kill('SIGUSR2');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await readFile(out, 'utf8').catch(() => null);
    if (text) return JSON.parse(text) as Loaded;
    if (Date.now() > deadline) throw new Error(`the probe wrote nothing: ${worker.logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('an idle assemble worker', () => {
  let h: AssembleHarness;
  let worker: WorkerProcess;
  let loaded: Loaded;

  beforeAll(async () => {
    h = await AssembleHarness.create({ worker: false });
    const out = join(h.tempDir, 'loaded-modules.json');
    await rm(out, { force: true });
    worker = WorkerProcess.start(harnessWorkerEnv(h, { METRICS_PORT: '0', NODE_OPTIONS: `--import=${PROBE}`, LOADED_MODULES_OUT: out }));
    await worker.waitForLog(/"msg":"started"/);
    loaded = await loadedBy(worker, out);
  });

  afterAll(async () => {
    await worker?.stop();
    await h.close();
  });

  // mime-types is loaded at the first guessed content type, from node_modules (the bundle leaves it there): absent here.
  it('runs the bundled service: from node_modules only the packages with native addons load, as files of their own', () => {
    const packages = new Set(loaded.files.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []));
    expect([...packages].sort()).toEqual(['detect-libc', 'msgpackr-extract', 'node-gyp-build-optional-packages', 'zstd-napi']);
    expect(loaded.files.some((url) => url.includes('/dist/service/'))).toBe(true);
    expect(loaded.files.filter((url) => url.includes('/dist/src/'))).toEqual([]);
  });

  it('serves /metrics without the builtins behind node:http lazy exports (undici, http2)', () => {
    expect(loaded.builtins).toContain('http');
    expect(loaded.builtins).not.toContain('internal/deps/undici/undici');
    expect(loaded.builtins).not.toContain('http2');
  });
});
