import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { describeError } from '../api/errors.js';
import type { QuarantinedEvent } from '../api/types.js';
import { ErrorLine } from '../components/error-line.js';

/** One quarantined event: its reasons, its raw text to fix, and re-submit (POST /api/analytics/quarantine/:id/retry). */
function QuarantineItem(props: { item: QuarantinedEvent; onDone(): void }): JSX.Element {
  const [text, setText] = useState(props.item.raw);
  const [error, setError] = useState<string | undefined>();
  const [accepted, setAccepted] = useState(false);
  const id = `quarantine-${props.item.id}`;
  const resubmit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return setError('The event is not valid JSON.');
    }
    try {
      await api.post(`/api/analytics/quarantine/${encodeURIComponent(props.item.id)}/retry`, body);
      setAccepted(true);
      props.onDone();
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  return (
    <li>
      <form onSubmit={resubmit} class="quarantine-item">
        <p>
          Received {props.item.receivedAt} · {props.item.status}
          {props.item.truncated ? ' (cut short)' : ''}: {props.item.reasons.map((reason) => `${reason.path || 'event'}: ${reason.message}`).join('; ')}
        </p>
        <label for={id}>Event to re-submit</label>
        <textarea id={id} rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <ErrorLine error={error} />
        {accepted && <p role="status">Accepted: the event is in, and the entry is resolved.</p>}
        <button type="submit" disabled={props.item.status === 'resolved' || accepted}>
          Re-submit
        </button>
      </form>
    </li>
  );
}

export function QuarantineList(props: { items: readonly QuarantinedEvent[]; onChanged(): void }): JSX.Element {
  if (props.items.length === 0) return <p class="muted">Nothing in quarantine.</p>;
  return (
    <ul class="quarantine">
      {props.items.map((item) => (
        <QuarantineItem key={item.id} item={item} onDone={props.onChanged} />
      ))}
    </ul>
  );
}
