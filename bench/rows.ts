import type { Sample } from './benchHelpers.js';

/** One side's run: its time, and optionally the bytes it moved and the worker's memory. */
export type RunSample = Sample & { bytes?: number };

/**
 * One row of the bench: `ours` and, when there is one, its `floor`, run alternately (ours, floor, ours, floor ...)
 * so that a noisy moment on a shared machine hits both sides alike. `key` names the JSON figures
 * (`<key>_seconds`, `<key>_vs_floor`, `<floorKey>_seconds`).
 */
export interface BenchRowSpec {
  name: string;
  key: string;
  files?: number;
  ours: () => Promise<RunSample>;
  floor?: () => Promise<RunSample>;
  floorKey?: string;
  /** the JSON key of the ratio; default `<key>_vs_floor` */
  ratioKey?: string;
  floorName?: string;
  /** what the parts of `ours` are, where they are not the worker's stages */
  oursPartsName?: string;
  /** also report the worker's `store` stage against the floor's `node inflate+sha1` part */
  storeFloor?: boolean;
  /** the unit of the figures: seconds (lower is better, the default) or MB/s (higher is better) */
  unit?: 'seconds' | 'MB/s';
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface RowResult {
  spec: BenchRowSpec;
  ours: RunSample[];
  floor: RunSample[];
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN };
}

/** Runs every row `runs` times, alternating ours and floor within the row. */
export async function runRows(specs: BenchRowSpec[], runs: number, log: (line: string) => void): Promise<RowResult[]> {
  const results: RowResult[] = [];
  for (const spec of specs) {
    const result: RowResult = { spec, ours: [], floor: [] };
    for (let i = 0; i < runs; i += 1) {
      result.ours.push(await spec.ours());
      if (spec.floor) result.floor.push(await spec.floor());
      const pair = [result.ours.at(-1), result.floor.at(-1)].filter(Boolean).map((s) => s!.seconds.toFixed(2));
      log(`  ${spec.name}: run ${i + 1}/${runs} ${pair.join(' / ')}`);
    }
    results.push(result);
  }
  return results;
}

/** ours over floor, pair by pair; for MB/s rows floor over ours is not wanted, the ratio is ours/floor of throughput. */
export function pairRatios(ours: number[], floor: number[]): number[] {
  return ours.slice(0, floor.length).map((v, i) => v / (floor[i] ?? NaN));
}

export const fmtSpread = (s: Spread, digits = 2) =>
  s.min === s.max ? s.median.toFixed(digits) : `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
