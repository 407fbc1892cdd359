import { readFile } from 'node:fs/promises';
import { AssembleHarness } from '../support/assembleHarness.js';
import { WorkerProcess, harnessWorkerEnv } from '../support/workerProcess.js';

// V8 reads --max-semi-space-size only at start-up, and Node refuses --heap-growing-percent in NODE_OPTIONS:
// bin/assembler.js, the entry of every role, restarts Node with the first in NODE_OPTIONS and (for api and all) the
// second on its command line. Observed from outside: the processes' environment, command line and young generation.

const MiB = 2 ** 20;

async function nodeOptionsOf(worker: WorkerProcess): Promise<string | undefined> {
  const environ = await readFile(`/proc/${worker.child.pid}/environ`, 'utf8');
  return environ.split('\0').find((v) => v.startsWith('NODE_OPTIONS='))?.slice('NODE_OPTIONS='.length);
}

async function nodeArgsOf(worker: WorkerProcess): Promise<string[]> {
  const cmdline = (await readFile(`/proc/${worker.child.pid}/cmdline`, 'utf8')).split('\0');
  return cmdline.slice(1, cmdline.findIndex((arg) => arg.endsWith('assembler.js')));
}

async function newSpaceBytes(worker: WorkerProcess): Promise<number> {
  const port = Number(/"metricsPort":(\d+)/.exec(worker.logs())?.[1]);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)/m.exec(metrics)?.[1] ?? NaN);
}

describe('V8 start-up flags of a role', () => {
  let h: AssembleHarness;

  beforeAll(async () => {
    h = await AssembleHarness.create({ worker: false });
  });

  afterAll(async () => {
    await h.close();
  });

  it('a worker runs with 1 MiB semi-spaces and V8\'s own heap growth; an operator NODE_OPTIONS is kept after the flag', async () => {
    const plain = WorkerProcess.start(harnessWorkerEnv(h, { METRICS_PORT: '0' }));
    const operator = WorkerProcess.start(harnessWorkerEnv(h, { METRICS_PORT: '0', NODE_OPTIONS: '--max-old-space-size=200' }));
    try {
      await Promise.all([plain, operator].map((w) => w.waitForLog(/"metricsPort":\d+/)));
      expect(await nodeOptionsOf(plain)).toBe('--max-semi-space-size=1');
      expect(await nodeOptionsOf(operator)).toBe('--max-semi-space-size=1 --max-old-space-size=200');
      for (const worker of [plain, operator]) expect(await nodeArgsOf(worker)).toEqual([]);
      // without the flag, start-up garbage grows the new space to 2 x 16 MiB
      for (const worker of [plain, operator]) expect(await newSpaceBytes(worker)).toBeLessThanOrEqual(2 * MiB);
    } finally {
      await Promise.all([plain.stop(), operator.stop()]);
    }
  });

  it('the api runs with 1 MiB semi-spaces and --heap-growing-percent=300 on its command line', async () => {
    const api = WorkerProcess.start(harnessWorkerEnv(h, { PORT: '0' }), 'api');
    try {
      await api.waitForLog(/listening at http:/);
      expect(await nodeOptionsOf(api)).toBe('--max-semi-space-size=1');
      expect(await nodeArgsOf(api)).toEqual(['--heap-growing-percent=300']);
    } finally {
      await api.stop();
    }
  });

  it('an operator-set semi-space size wins and is not repeated', async () => {
    const worker = WorkerProcess.start(harnessWorkerEnv(h, { METRICS_PORT: '0', NODE_OPTIONS: '--max-semi-space-size=4' }));
    try {
      await worker.waitForLog(/"metricsPort":\d+/);
      expect(await nodeOptionsOf(worker)).toBe('--max-semi-space-size=4');
    } finally {
      await worker.stop();
    }
  });
});
