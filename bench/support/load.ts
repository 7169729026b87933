/** What a timed load gave: throughput and latency percentiles of the requests that completed. */
export interface LoadFigures {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadOptions {
  /** How long to keep every worker busy. */
  seconds: number;
  concurrency: number;
  /** Untimed runs of the work first, so a cold pool or JIT does not count. */
  warmUp?: number;
}

/**
 * Keeps `concurrency` workers each running `work` back to back for
 * `seconds`, timing every call. `work(i)` gets a unique, increasing number;
 * a call that throws ends the run with its error (a bench measures answers
 * that were right, never errors).
 */
export async function measureLoad(options: LoadOptions, work: (i: number) => Promise<void>): Promise<LoadFigures> {
  let next = 0;
  const warmUp = options.warmUp ?? options.concurrency * 4;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < warmUp) await work(next++);
    }),
  );
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(options.seconds * 1e9));
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (process.hrtime.bigint() < deadline) {
        const before = process.hrtime.bigint();
        await work(next++);
        latencies.push(Number(process.hrtime.bigint() - before) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}
