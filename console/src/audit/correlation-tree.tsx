import type { JSX } from 'preact';
import type { CorrelatedEvent, Correlation } from '../api/types.js';
import { actorOf } from './actor.js';

/** A correlation's events as the tree their causation links make (roots: caused by a request, not an event). */
export function CorrelationTree(props: { correlation: Correlation; highlightId: string | undefined }): JSX.Element {
  const byId = new Map(props.correlation.events.map((event) => [event.id, event] as const));
  const roots = props.correlation.events.filter((event) => event.causedBy === null || !byId.has(event.causedBy));
  const node = (event: CorrelatedEvent): JSX.Element => {
    const children = event.caused.map((id) => byId.get(id)).filter((child): child is CorrelatedEvent => child !== undefined);
    return (
      <li key={event.id}>
        <span class={event.id === props.highlightId ? 'tree-node current' : 'tree-node'}>
          <strong>{event.type}</strong> <code>{event.stream}</code> #{event.revision} · {actorOf(event.metadata)} · position {event.position}
        </span>
        {children.length > 0 && <ul>{children.map(node)}</ul>}
      </li>
    );
  };
  return (
    <section class="chain" aria-labelledby="chain-heading">
      <h3 id="chain-heading">
        Chain of correlation <code>{props.correlation.correlationId}</code>
      </h3>
      <ul class="tree" aria-label="Causal chain">
        {roots.map(node)}
      </ul>
      {props.correlation.truncated && <p class="muted">Only the first events of the chain are shown.</p>}
    </section>
  );
}
