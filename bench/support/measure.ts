import { randomUUID } from 'node:crypto';

export interface BenchEvent {
  id: string;
  type: string;
  data: { [key: string]: string | number | string[] };
  metadata: { [key: string]: string | number | { type: string; id: string } };
}

/** A realistic event of about 400 bytes: a post with the full metadata envelope. */
export function benchEvent(i: number): BenchEvent {
  const correlationId = randomUUID();
  return {
    id: randomUUID(),
    type: 'PostCreated',
    data: { title: `Post number ${i}`, body: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(2), tags: ['bench', 'events'] },
    metadata: {
      correlationId,
      causationId: correlationId,
      actor: { type: 'user', id: randomUUID() },
      tenantId: '00000000-0000-4000-8000-000000000001',
      requestId: randomUUID(),
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `total` tasks with at most `concurrency` in flight; returns the elapsed seconds. */
export async function runConcurrently(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Nearest-rank percentile of unsorted values (NaN for none). */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}
