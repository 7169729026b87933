import type { JSX } from 'preact';
import type { ReplayProgress } from '../api/types.js';
import { formatNumber, formatSeconds } from '../components/format.js';

const STATE_TEXT: Record<ReplayProgress['state'], string> = {
  pending: 'waiting to start',
  running: 'running',
  completed: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** A replay job as it goes: a bar, percent, events/s and ETA, then done or the failure. */
export function ReplayProgressView(props: { job: ReplayProgress }): JSX.Element {
  const { job } = props;
  const percent = job.state === 'completed' ? 100 : (job.percent ?? 0);
  return (
    <div class="replay" data-state={job.state}>
      <progress aria-label={`Replay of ${job.projection}`} max={100} value={percent} />
      <span role="status" aria-live="polite">
        Replay {STATE_TEXT[job.state]}: {formatNumber(percent)}% · {formatNumber(job.processed)}
        {job.total !== null ? ` of ${formatNumber(job.total)}` : ''} events · {formatNumber(job.eventsPerSecond)} events/s
        {job.state === 'running' ? ` · ETA ${formatSeconds(job.etaSeconds)}` : ''}
      </span>
      {job.error && (
        <span class="error" role="alert">
          {' '}
          {job.error.message}
          {job.error.position ? ` (at position ${job.error.position})` : ''}
        </span>
      )}
    </div>
  );
}
