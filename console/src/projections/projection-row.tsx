import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { describeError } from '../api/errors.js';
import type { ProjectionStatus, ReplayProgress } from '../api/types.js';
import { formatNumber } from '../components/format.js';
import { ReplayProgressView } from './replay-progress.js';

const STATUS_CLASS: Record<ProjectionStatus['status'], string> = {
  running: 'ok',
  'catching-up': 'warn',
  replaying: 'warn',
  stopped: 'warn',
  failed: 'bad',
};

const FINISHED: ReadonlySet<ReplayProgress['state']> = new Set(['completed', 'failed', 'cancelled']);

/** One projection: its numbers, and replay, retry and skip. */
export function ProjectionRow(props: { projection: ProjectionStatus; onChanged(): void }): JSX.Element {
  const { projection } = props;
  const [job, setJob] = useState<ReplayProgress | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [skipReason, setSkipReason] = useState('');
  const path = `/api/admin/projections/${encodeURIComponent(projection.name)}`;

  // Follows the job started here (or the one the status reports) every half second until it finishes.
  const followed = job ?? projection.replay;
  const following = followed !== undefined && !FINISHED.has(followed.state) ? followed.jobId : undefined;
  useEffect(() => {
    if (following === undefined) return;
    const timer = setInterval(() => {
      api
        .get<ReplayProgress>(`${path}/replays/${following}`)
        .then((next) => {
          setJob(next);
          if (FINISHED.has(next.state)) props.onChanged();
        })
        .catch((failure) => setError(describeError(failure)));
    }, 500);
    return () => clearInterval(timer);
  }, [following]);

  const act = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
      props.onChanged();
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  const replay = () => act(async () => setJob(await api.post<ReplayProgress>(`${path}/replay`)));
  const retry = () => act(() => api.post(`${path}/retry`));
  const skip = (event: Event) => {
    event.preventDefault();
    const position = projection.lastError?.position;
    if (!position) return;
    void act(async () => {
      await api.post(`${path}/skip`, { position, reason: skipReason });
      setSkipReason('');
    });
  };

  return (
    <tr>
      <th scope="row">
        {projection.name}
        <div class="muted">version {projection.version}</div>
      </th>
      <td>
        <span class={`badge ${STATUS_CLASS[projection.status]}`}>{projection.status}</span>
      </td>
      <td>{projection.checkpoint ?? '–'}</td>
      <td>{projection.headPosition ?? '–'}</td>
      <td>
        {formatNumber(projection.lag)}
        {projection.lag >= projection.lagCap ? '+' : ''}
      </td>
      <td>{formatNumber(projection.eventsPerSecond)}</td>
      <td>
        {projection.lastError ? (
          <span class="error">
            {projection.lastError.message} <span class="muted">(position {projection.lastError.position}, {projection.lastError.at})</span>
          </span>
        ) : (
          '–'
        )}
      </td>
      <td>
        <div class="actions">
          <button type="button" onClick={() => void replay()} disabled={followed !== undefined && !FINISHED.has(followed.state)} aria-label={`Replay ${projection.name}`}>
            Replay
          </button>
          {projection.status === 'failed' && (
            <button type="button" class="secondary" onClick={() => void retry()} aria-label={`Retry ${projection.name}`}>
              Retry
            </button>
          )}
        </div>
        {projection.status === 'failed' && projection.lastError && (
          <form class="skip" onSubmit={skip}>
            <label for={`skip-${projection.name}`}>Reason to skip the event at {projection.lastError.position}</label>
            <input id={`skip-${projection.name}`} required minLength={3} maxLength={500} value={skipReason} onInput={(e) => setSkipReason(e.currentTarget.value)} />
            <button type="submit" class="danger">
              Skip it
            </button>
          </form>
        )}
        {followed && <ReplayProgressView job={followed} />}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}
