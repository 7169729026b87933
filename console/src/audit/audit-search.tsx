import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { describeError } from '../api/errors.js';
import type { Correlation, Page, RecordedEvent } from '../api/types.js';
import { ErrorLine } from '../components/error-line.js';
import { JsonView } from '../components/json-view.js';
import { CorrelationTree } from './correlation-tree.js';
import { EventTable } from './event-table.js';

const FIELDS = [
  { name: 'actor', label: 'Actor id' },
  { name: 'type', label: 'Event type' },
  { name: 'stream', label: 'Stream' },
  { name: 'correlation', label: 'Correlation id' },
] as const;

type FieldName = (typeof FIELDS)[number]['name'] | 'from' | 'to';

/** `2026-12-01T10:00` from a datetime-local input → an ISO time in UTC. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Who did what, when: GET /api/audit/events, a stream's history, and an event's causal chain. */
export function AuditSearch(): JSX.Element {
  const [query, setQuery] = useState<Record<FieldName, string>>({ actor: '', type: '', stream: '', correlation: '', from: '', to: '' });
  const [results, setResults] = useState<Page<RecordedEvent> | undefined>();
  const [resultsLabel, setResultsLabel] = useState('Search results');
  const [selected, setSelected] = useState<RecordedEvent | undefined>();
  const [chain, setChain] = useState<Correlation | undefined>();
  const [error, setError] = useState<string | undefined>();

  const run = async (path: string, label: string) => {
    setError(undefined);
    setSelected(undefined);
    setChain(undefined);
    try {
      setResults(await api.get<Page<RecordedEvent>>(path));
      setResultsLabel(label);
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  const search = (event: Event) => {
    event.preventDefault();
    const params = new URLSearchParams({ limit: '100', direction: 'backwards' });
    for (const { name } of FIELDS) if (query[name].trim()) params.set(name, query[name].trim());
    const from = isoOf(query.from);
    const to = isoOf(query.to);
    if (from) params.set('from', from);
    if (to) params.set('to', to);
    void run(`/api/audit/events?${params}`, 'Search results');
  };

  const showStream = (stream: string) => void run(`/api/audit/streams/${encodeURIComponent(stream)}?limit=100`, `History of ${stream}`);

  const showChain = async (event: RecordedEvent) => {
    const correlationId = event.metadata.correlationId;
    if (typeof correlationId !== 'string') return setError('This event has no correlation id.');
    try {
      setChain(await api.get<Correlation>(`/api/audit/correlations/${encodeURIComponent(correlationId)}`));
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <section aria-labelledby="audit-search-heading">
      <h2 id="audit-search-heading">Search the audit trail</h2>
      <form class="filters" onSubmit={search} aria-label="Audit search">
        {FIELDS.map(({ name, label }) => (
          <div class="field" key={name}>
            <label for={`audit-${name}`}>{label}</label>
            <input id={`audit-${name}`} value={query[name]} onInput={(e) => setQuery({ ...query, [name]: e.currentTarget.value })} />
          </div>
        ))}
        <div class="field">
          <label for="audit-from">From</label>
          <input id="audit-from" type="datetime-local" value={query.from} onInput={(e) => setQuery({ ...query, from: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="audit-to">To</label>
          <input id="audit-to" type="datetime-local" value={query.to} onInput={(e) => setQuery({ ...query, to: e.currentTarget.value })} />
        </div>
        <button type="submit">Search</button>
      </form>
      <ErrorLine error={error} />
      {results && (
        <>
          <h3>{resultsLabel}</h3>
          <EventTable events={results.items} label={resultsLabel} selectedId={selected?.id} onSelect={(event) => (setSelected(event), setChain(undefined))} />
        </>
      )}
      {selected && (
        <section class="detail" aria-labelledby="audit-detail-heading">
          <h3 id="audit-detail-heading">
            {selected.type} at position {selected.position}
          </h3>
          <div class="actions">
            <button type="button" onClick={() => void showChain(selected)}>
              Show its chain
            </button>
            <button type="button" class="secondary" onClick={() => showStream(selected.stream)}>
              History of {selected.stream}
            </button>
          </div>
          <h4>Data</h4>
          <JsonView value={selected.data} label="Audit event data" />
          <h4>Metadata</h4>
          <JsonView value={selected.metadata} label="Audit event metadata" />
          {chain && <CorrelationTree correlation={chain} highlightId={selected.id} />}
        </section>
      )}
    </section>
  );
}
