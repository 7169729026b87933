import type { FleetReport } from './client-fleet.js';

export interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Arrivals timed (one per socket and message). */
  delivered: number;
  /** Arrivals there should have been: every socket, every message. */
  expected: number;
}

/** A run of seqs `first`, `first + 1`, ... and when each one's message came into being (by index). */
export interface Origins {
  first: number;
  at: Float64Array;
}

/** Latency of every arrival of a seq of `origins`, from its origin, over every client process. */
export function latencyFigures(report: FleetReport, origins: Origins, sockets: number): LatencyFigures {
  const values: number[] = [];
  for (const [process, seqs] of report.seqs.entries()) {
    const times = report.times[process]!;
    for (let index = 0; index < seqs.length; index++) {
      const origin = origins.at[seqs[index]! - origins.first];
      if (origin !== undefined) values.push(times[index]! - origin);
    }
  }
  values.sort((a, b) => a - b);
  return {
    p50Ms: percentile(values, 0.5),
    p99Ms: percentile(values, 0.99),
    maxMs: values.at(-1) ?? NaN,
    delivered: values.length,
    expected: origins.at.length * sockets,
  };
}

export interface FanOutFigures {
  /** Marked messages delivered per second, from the burst's start to the last arrival. */
  messagesPerSecond: number;
  delivered: number;
  expected: number;
  seconds: number;
  /** CPU time the server process used over the burst, ms (its deliveries' whole cost, the store reads included). */
  serverCpuMs: number;
  /** CPU time every client process used over it together, ms. */
  clientCpuMs: number;
}

export function fanOutFigures(report: FleetReport, startedAt: number, expected: number, serverCpuMs: number): FanOutFigures {
  let delivered = 0;
  let lastAt = startedAt;
  for (const times of report.times) {
    delivered += times.length;
    for (const time of times) if (time > lastAt) lastAt = time;
  }
  const seconds = (lastAt - startedAt) / 1000;
  return { messagesPerSecond: seconds > 0 ? delivered / seconds : NaN, delivered, expected, seconds, serverCpuMs, clientCpuMs: report.clientCpuMs };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}
