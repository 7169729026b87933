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
  /** While running, over the last seconds; once finished, the average of the whole run. */
  eventsPerSecond: number;
  /** Null when it cannot be estimated (not running, or no rate yet); 0 once completed. */
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
  // A running job's rate is its last commit's; with no commit for 5 s nothing is moving.
  // A finished job keeps the average of its whole run.
  const stale = job.state === 'running' && Date.now() - job.updatedAt.getTime() > 5_000;
  const rate = job.state === 'pending' || stale ? 0 : Math.round(job.eventsPerSecond);
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
    etaSeconds: job.state === 'completed' ? 0 : job.state === 'running' && remaining !== undefined && rate > 0 ? Math.ceil(Number(remaining) / rate) : null,
    position: job.position === undefined ? null : String(job.position),
    ...(job.error ? { error: { position: job.error.position === undefined ? null : String(job.error.position), message: job.error.message } } : {}),
    requestedBy: job.requestedBy,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
