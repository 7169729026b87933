import type { ReplayJobRow, ReplayState } from './replay-rows.js';

/** A replay job as the API and the CLI's progress bar show it. */
export interface ReplayProgress {
  jobId: string;
  projection: string;
  version: number;
  generation: number;
  state: ReplayState;
  /** Events read so far (applied or skipped). */
  processed: string;
  /** Matching events in the log when the job started, raised as the log grows; null until started. */
  total: string | null;
  /** 0 to 100, null while the total is unknown. */
  percent: number | null;
  eventsPerSecond: number;
  /** Null when it cannot be estimated (not running, or no rate yet). */
  etaSeconds: number | null;
  position: string | null;
  error?: { position: string | null; message: string };
  requestedBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function toReplayProgress(job: ReplayJobRow): ReplayProgress {
  const total = job.total;
  const remaining = total === undefined ? undefined : total > job.processed ? total - job.processed : 0n;
  const running = job.state === 'running';
  const stale = Date.now() - job.updatedAt.getTime() > 5_000;
  const rate = running && !stale ? job.eventsPerSecond : 0;
  return {
    jobId: job.id,
    projection: job.projection,
    version: job.version,
    generation: job.generation,
    state: job.state,
    processed: String(job.processed),
    total: total === undefined ? null : String(total),
    percent: job.state === 'completed' ? 100 : total === undefined || total === 0n ? null : Math.min(100, Number((job.processed * 10_000n) / total) / 100),
    eventsPerSecond: rate,
    etaSeconds: remaining !== undefined && rate > 0 ? Math.ceil(Number(remaining) / rate) : job.state === 'completed' ? 0 : null,
    position: job.position === undefined ? null : String(job.position),
    ...(job.error ? { error: { position: job.error.position === undefined ? null : String(job.error.position), message: job.error.message } } : {}),
    requestedBy: job.requestedBy,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
