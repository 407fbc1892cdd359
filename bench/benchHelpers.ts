import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AssembleHarness } from '../test/support/assembleHarness.js';
import { WorkerProcess, harnessWorkerEnv } from '../test/support/workerProcess.js';

/** One timed run of one side of a row (ours or its floor). */
export interface Sample {
  seconds: number;
  /** the worker's peak RSS (VmHWM) over the run */
  peakRssMb?: number | null;
  /** the worker's RSS once started, before it took a job */
  idleRssMb?: number | null;
  /** named parts of the run (floor tool steps, worker stages), in seconds */
  parts?: Record<string, number>;
  /** named ratios that belong to this run alone (a bound it sets on the pair's ratio, say) */
  ratios?: Record<string, number>;
}

/** What a floor took, in total and per tool step. */
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

function procStatusMb(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]);
    return kb ? Math.round(kb / 1024) : null;
  } catch {
    return null;
  }
}

/**
 * How often a timed run reads its assemble status: often enough that the clock stops within a few ms of the `ok`
 * (at 50 ms, sub-second rows came out in 50 ms steps: the artifact bundle at 0.16 or 0.21 s, nothing between).
 */
export const STATUS_POLL_MS = 5;

export interface TimedAssembly {
  name: string;
  /** asks for assembly (the producer the endpoint calls); the clock starts just before it */
  request: () => Promise<unknown>;
  /** resolves with the final status; the clock stops when it does */
  waitForStatus: () => Promise<{ state: string; detail: string | null }>;
}

/** The sum of `assemble_stage_duration_seconds` per stage, from the worker's own /metrics. */
async function stageSeconds(port: number | undefined): Promise<Record<string, number>> {
  if (!port) return {};
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const parts: Record<string, number> = {};
  for (const m of text.matchAll(/^assemble_stage_duration_seconds_sum\{[^}]*stage="([^"]+)"[^}]*\} ([0-9.e+-]+)$/gm)) {
    const stage = m[1] ?? '';
    parts[stage] = (parts[stage] ?? 0) + Number(m[2]);
  }
  return parts;
}

/**
 * Times request -> `ok` on a fresh `assembler worker` process (the compiled CLI, as in production) reading the
 * harness's database, Redis prefix and disk storage. The bundles must already be uploaded: uploads are not the job.
 * Several assemblies are requested at once and the clock stops at the last `ok`. The sample carries the worker's
 * idle RSS (started, no job yet), its peak RSS and its stage times (from its /metrics).
 */
export async function timeOnWorkerProcess(h: AssembleHarness, runs: TimedAssembly[], options: { concurrency?: number } = {}): Promise<Sample> {
  const env = harnessWorkerEnv(h, { WORKER_CONCURRENCY: String(options.concurrency ?? 1), LOG_LEVEL: 'info', METRICS_PORT: '0' });
  const worker = WorkerProcess.start(env);
  try {
    await worker.waitForLog(/"msg":"started"/);
    const metricsPort = Number(/"metricsPort":(\d+)/.exec(worker.logs())?.[1]) || undefined;
    const idleRssMb = procStatusMb(worker.child.pid, 'VmRSS');
    const started = performance.now();
    await Promise.all(runs.map((run) => run.request()));
    const statuses = await Promise.all(runs.map((run) => run.waitForStatus()));
    const seconds = (performance.now() - started) / 1000;
    statuses.forEach((status, i) => {
      if (status.state !== 'ok') throw new Error(`${runs[i]?.name}: ${status.state} ${status.detail}`);
    });
    const peakRssMb = procStatusMb(worker.child.pid, 'VmHWM');
    return { seconds, peakRssMb, idleRssMb, parts: await stageSeconds(metricsPort) };
  } finally {
    await worker.stop();
  }
}

/**
 * Starts counting a process's CPU; the function returned gives what it has used since, in seconds: all its threads
 * together (`all`) and its main thread alone (`eventLoop`: its thread id is the process id). Each thread's CPU is the
 * first field of `/proc/<pid>/task/<tid>/schedstat` (nanoseconds on a CPU); threads that have ended are not counted
 * (nor one that ends while it is read). NaN when the process is gone or /proc is not Linux's.
 */
export function processCpuSince(pid: number | undefined): () => { all: number; eventLoop: number } {
  const all = processCpuSeconds(pid);
  const eventLoop = mainThreadCpuSeconds(pid);
  return () => ({ all: processCpuSeconds(pid) - all, eventLoop: mainThreadCpuSeconds(pid) - eventLoop });
}

function processCpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return NaN;
  }
  return tids.reduce((sum, tid) => {
    try {
      return sum + threadCpuSecondsOf(pid, Number(tid));
    } catch {
      return sum;
    }
  }, 0);
}

function mainThreadCpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    return threadCpuSecondsOf(pid, pid);
  } catch {
    return NaN;
  }
}

function threadCpuSecondsOf(pid: number, tid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0] ?? NaN) / 1e9;
}

/** Linux's USER_HZ, the unit of /proc's per-process times: 100 on every architecture Node runs on. */
const USER_HZ = 100;

/**
 * CPU time of this process's children that have ended and been waited for (a tool run with execFileSync, say), in
 * seconds: `cutime` + `cstime` of `/proc/self/stat`, in steps of 10 ms. Read it before and after.
 */
export function endedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after the command's name: state is field 3 of stat(5), cutime 16 and cstime 17
  return (Number(fields[13]) + Number(fields[14])) / USER_HZ;
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

