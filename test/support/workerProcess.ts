import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { AssembleHarness } from './assembleHarness.js';
import { TEST_REDIS_URL } from './database.js';

export interface WorkerProcessEnv {
  DATABASE_URL: string;
  REDIS_URL: string;
  REDIS_PREFIX: string;
  STORAGE_DIR: string;
  TEMP_DIR: string;
  [key: string]: string;
}

/** The env of a worker process that works on a harness's database, Redis prefix and storage; `extra` adds settings. */
export function harnessWorkerEnv(
  h: Pick<AssembleHarness, 'testDb' | 'prefix' | 'storageDir' | 'tempDir'>,
  extra: Record<string, string> = {},
): WorkerProcessEnv {
  return {
    DATABASE_URL: h.testDb.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: h.prefix,
    STORAGE_DIR: h.storageDir,
    TEMP_DIR: h.tempDir,
    ...extra,
  };
}

/** Runs `assembler worker` (the package's bin over the compiled CLI, as in production) as a separate OS process. */
export class WorkerProcess {
  private output = '';

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  static start(env: WorkerProcessEnv, role = 'worker'): WorkerProcess {
    const bin = join(process.cwd(), 'bin', 'assembler.js');
    const child = spawn(process.execPath, [bin, role], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new WorkerProcess(child);
  }

  /** A child killed by a signal has `signalCode` set and `exitCode` null. */
  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  logs(): string {
    return this.output;
  }

  async waitForLog(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.exited) throw new Error(`worker exited (${this.child.exitCode}): ${this.output}`);
      if (Date.now() > deadline) throw new Error(`worker did not log ${pattern} within ${timeoutMs} ms: ${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: no cleanup, no lock release, as in a crash. */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await once(this.child, 'exit');
  }

  /** SIGTERM: the graceful path; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.exited) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const [code] = (await once(this.child, 'exit')) as [number | null];
    return code;
  }
}
