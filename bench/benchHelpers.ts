import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AssembleHarness } from '../test/support/assembleHarness.js';
import { WorkerProcess, harnessWorkerEnv } from '../test/support/workerProcess.js';

/** A measured row of the table. */
export interface BenchRow {
  name: string;
  files: number;
  bytes: number;
  seconds: number;
  peakRssMb: number | null;
}

/** A worker time over its plain-tools floor: below 1 the service beats the shell tools. */
export interface RatioRow {
  name: string;
  ratio: number;
}

/** What a floor took, in total and per tool step (printed on its own line under the table). */
export interface FloorResult {
  seconds: number;
  parts: Record<string, number>;
}

/** xorshift32: the same pseudo-random text on every run, so runs compare. */
export function seededRandom(seed: number): () => number {
  let x = seed * 2654435761 + 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** Deterministic JS-like text: compresses like real minified code, not like random bytes. */
export function jsLikeContent(seed: number, bytes: number): string {
  const next = seededRandom(seed);
  const words = ['function', 'return', 'const', 'var', 'this', 'null', 'undefined', 'prototype', 'length', 'push'];
  let out = '';
  while (out.length < bytes) {
    out += `${words[next() % words.length]} a${(next() % 100000).toString(36)}=${next() % 1000};`;
    if (next() % 7 === 0) out += '\n';
  }
  return out.slice(0, bytes);
}

function peakRssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const status = execFileSync('cat', [`/proc/${pid}/status`]).toString();
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return kb ? Math.round(kb / 1024) : null;
  } catch {
    return null;
  }
}

export interface TimedAssembly {
  name: string;
  files: number;
  bytes: number;
  /** asks for assembly (the producer the endpoint calls); the clock starts just before it */
  request: () => Promise<unknown>;
  /** resolves with the final status; the clock stops when it does */
  waitForStatus: () => Promise<{ state: string; detail: string | null }>;
}

/**
 * Times request -> `ok` on a fresh `assembler worker` process (the compiled CLI, as in production) reading the
 * harness's database, Redis prefix and disk storage. The bundle must already be uploaded: uploads are not the job.
 */
export async function timeOnWorkerProcess(h: AssembleHarness, run: TimedAssembly): Promise<BenchRow> {
  const worker = WorkerProcess.start(harnessWorkerEnv(h, { WORKER_CONCURRENCY: '1', LOG_LEVEL: 'info' }));
  try {
    await worker.waitForLog(/"msg":"started"/);
    const started = performance.now();
    await run.request();
    const status = await run.waitForStatus();
    const seconds = (performance.now() - started) / 1000;
    if (status.state !== 'ok') throw new Error(`${run.name}: ${status.state} ${status.detail}`);
    return { name: run.name, files: run.files, bytes: run.bytes, seconds, peakRssMb: peakRssMb(worker.child.pid) };
  } finally {
    await worker.stop();
  }
}

/** Wall time of a synchronous step (a command-line tool run with execFileSync), in seconds. */
export function timeSync(fn: () => void): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

/** A scratch directory for the floor's files, removed afterwards. */
export async function withScratchDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function sumParts(parts: Record<string, number>): FloorResult {
  return { seconds: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

export function ratioOf(name: string, row: BenchRow | undefined, floor: FloorResult): RatioRow {
  if (!row) throw new Error(`${name}: no measured row`);
  return { name, ratio: row.seconds / floor.seconds };
}
