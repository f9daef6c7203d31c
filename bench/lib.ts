// Shared by the benchmark files: the result rows and the statistics they are made of.

export interface Result {
  name: string;
  value: number;
  unit: string;
  floor: number | null;
  ratio: number | null;
  target: string;
  note?: string;
}

/** Every row recorded in this process, in order; bench/run.ts writes them to bench/results.json. */
export const results: Result[] = [];

/** What a benchmark part reports; record() adds the ratio. */
export type BenchRecord = Omit<Result, 'ratio'>;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** The nearest-rank percentile: the smallest value with at least p% of the values at or below it (the p99 of 100
 * values is the 99th smallest, not the largest). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? NaN;
}

export function record(r: BenchRecord): void {
  // Three significant digits: a ratio far below 1 (an answer from memory against a kubectl run) stays readable.
  const ratio = r.floor ? Number((r.value / r.floor).toPrecision(3)) : null;
  results.push({
    ...r,
    value: Number(r.value.toFixed(2)),
    floor: r.floor === null ? null : Number(r.floor.toFixed(2)),
    ratio,
  });
  console.log(
    `  ${r.name}: ${r.value.toFixed(1)} ${r.unit}${r.floor ? ` (floor ${r.floor.toFixed(1)}, ratio ${ratio})` : ''}`,
  );
}

/** Runs `work` on every item, at most `width` at a time. */
export async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
