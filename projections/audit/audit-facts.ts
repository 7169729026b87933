import type { JsonObject, RecordedEvent } from '../../infra/event-store/event-store.js';

/** What the audit trail files an event under, read from its stream name and metadata. */
export interface AuditFacts {
  /** `post` of `post-<uuid>`; the whole name for a stream without a dash. */
  readonly category: string;
  /** `<uuid>` of `post-<uuid>`: the id the content read models key on. */
  readonly streamId: string;
  readonly actorType: string | null;
  readonly actorId: string | null;
  readonly tenantId: string | null;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  /** The metadata's occurredAt when it is a valid time, the recording time otherwise. */
  readonly occurredAt: Date;
}

/**
 * Tolerant on purpose: the audit trail must file every event the log holds,
 * including one written before the metadata had its present shape or by
 * another tool, so a missing or odd field is recorded as unknown (null)
 * rather than stopping the projection.
 */
export function auditFactsOf(event: RecordedEvent): AuditFacts {
  const metadata = event.metadata;
  const actor = objectOf(metadata['actor']);
  const dash = event.stream.indexOf('-');
  return {
    category: dash === -1 ? event.stream : event.stream.slice(0, dash),
    streamId: dash === -1 ? '' : event.stream.slice(dash + 1),
    actorType: textOf(actor?.['type']),
    actorId: textOf(actor?.['id']),
    tenantId: textOf(metadata['tenantId']),
    correlationId: textOf(metadata['correlationId']),
    causationId: textOf(metadata['causationId']),
    occurredAt: timeOf(metadata['occurredAt']) ?? event.recordedAt,
  };
}

function objectOf(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** Text the index can hold: PostgreSQL's text refuses NUL, and a btree entry must stay well under a page. */
function textOf(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= 500 && !value.includes('\u0000') ? value : null;
}

function timeOf(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time;
}
