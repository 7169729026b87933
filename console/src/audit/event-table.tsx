import type { JSX } from 'preact';
import type { RecordedEvent } from '../api/types.js';
import { actorOf, occurredAtOf } from './actor.js';

/** Events in a table; a row's button picks the event for the detail below. */
export function EventTable(props: { events: readonly RecordedEvent[]; label: string; selectedId: string | undefined; onSelect(event: RecordedEvent): void }): JSX.Element {
  if (props.events.length === 0) return <p class="muted">No events.</p>;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.label}>
      <table>
        <thead>
          <tr>
            <th scope="col">Position</th>
            <th scope="col">Occurred</th>
            <th scope="col">Type</th>
            <th scope="col">Stream</th>
            <th scope="col">Actor</th>
          </tr>
        </thead>
        <tbody>
          {props.events.map((event) => (
            <tr key={event.id} class={event.id === props.selectedId ? 'selected' : undefined}>
              <td>{event.position}</td>
              <td>{occurredAtOf(event.metadata, event.recordedAt)}</td>
              <th scope="row">
                <button type="button" class="link-button" aria-pressed={event.id === props.selectedId} onClick={() => props.onSelect(event)}>
                  {event.type}
                </button>
              </th>
              <td>
                <code>{event.stream}</code> #{event.revision}
              </td>
              <td>
                <code>{actorOf(event.metadata)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
