import type { JSX } from 'preact';
import type { FeedEvent } from '../../../feed-client/index.js';
import { JsonView } from '../components/json-view.js';

export function EventDetail(props: { event: FeedEvent | undefined }): JSX.Element {
  const { event } = props;
  return (
    <section class="detail" aria-labelledby="event-detail-heading">
      <h2 id="event-detail-heading">Event detail</h2>
      {!event ? (
        <p class="muted">Select an event (click it, or use the arrow keys in the list).</p>
      ) : (
        <>
          <dl class="facts">
            <dt>Type</dt>
            <dd>{event.eventType}</dd>
            <dt>Stream</dt>
            <dd>
              <code>{event.stream}</code> revision {event.revision}
            </dd>
            <dt>Position</dt>
            <dd>{event.position}</dd>
            <dt>Recorded</dt>
            <dd>{event.recordedAt}</dd>
          </dl>
          <h3>Data</h3>
          <JsonView value={event.data} label="Event data" />
          <h3>Metadata</h3>
          <JsonView value={event.metadata} label="Event metadata" />
        </>
      )}
    </section>
  );
}
