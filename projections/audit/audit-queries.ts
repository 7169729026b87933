import type { Knex } from 'knex';
import type { JsonObject } from '../../infra/event-store/event-store.js';
import type { RecordedEventJson } from '../../infra/event-store/event-json.js';
import { ReadModelUnavailableError } from '../engine/errors.js';
import { keysetPage, type Page, type PageRequest, type SortDirection } from '../keyset-page.js';
import { CollectionsPresence } from '../posts/post-access-sql.js';
import { AUDIT_EVENTS, AUDIT_EVENTS_PROJECTION } from './audit-events-projection.js';
import { whereAuditVisible, type AuditReader } from './audit-visibility-sql.js';
import { logPayloadsAt, type LogPayloads } from './log-payloads.js';

/** What the audit queries read: the audit trail, and content's read models for who may see what. */
export interface AuditReads {
  knex: Knex;
  collections: CollectionsPresence;
}

export function auditReads(knex: Knex): AuditReads {
  return { knex, collections: new CollectionsPresence(knex) };
}

/** Every filter narrows; all given must hold. */
export interface AuditFilters {
  /** The actor's id (a user's id, an API key's id, `chronicle` for the system). */
  actor?: string;
  tenant?: string;
  stream?: string;
  category?: string;
  type?: string;
  correlation?: string;
  /** Inclusive: events that occurred at or after. */
  from?: Date;
  /** Exclusive: events that occurred before. */
  to?: Date;
}

/** `forwards`: log order, oldest first; `backwards`: newest first. */
export type AuditDirection = 'forwards' | 'backwards';

/** An event of the audit trail: the event as stored (event-json.ts' view), position and all. */
export type AuditEvent = RecordedEventJson;

/** The events the reader may see that match every filter, in log order (either way), a page at a time. */
export async function listAuditEvents(reads: AuditReads, reader: AuditReader, filters: AuditFilters, page: PageRequest, direction: AuditDirection): Promise<Page<AuditEvent>> {
  const { query } = await visibleEvents(reads, reader);
  if (filters.actor !== undefined) query.andWhere('a.actor_id', filters.actor);
  if (filters.tenant !== undefined) query.andWhere('a.tenant_id', filters.tenant);
  if (filters.stream !== undefined) query.andWhere('a.stream', filters.stream);
  if (filters.category !== undefined) query.andWhere('a.category', filters.category);
  if (filters.type !== undefined) query.andWhere('a.type', filters.type);
  if (filters.correlation !== undefined) query.andWhere('a.correlation_id', filters.correlation);
  if (filters.from !== undefined) query.andWhere('a.occurred_at', '>=', filters.from);
  if (filters.to !== undefined) query.andWhere('a.occurred_at', '<', filters.to);
  return pageOf(reads.knex, query, page, direction);
}

/** One stream's events the reader may see, in order (either way), a page at a time. */
export function streamAuditEvents(reads: AuditReads, reader: AuditReader, stream: string, page: PageRequest, direction: AuditDirection): Promise<Page<AuditEvent>> {
  return listAuditEvents(reads, reader, { stream }, page, direction);
}

/** An event of a correlation, with its place in the causation tree. */
export interface CorrelatedEvent extends AuditEvent {
  /** The event (of this correlation) that caused this one; null for a root: caused by a request or command, not an event. */
  causedBy: string | null;
  /** The events this one caused, in log order. */
  caused: string[];
  /** Steps from its root (0 for a root). */
  depth: number;
}

export interface Correlation {
  events: CorrelatedEvent[];
  /** The first `limit` events only: the correlation has more. */
  truncated: boolean;
}

/**
 * The events sharing a correlation id that the reader may see, in log
 * order, linked by causation: an event whose causation id is another
 * event's id of the same correlation is its child. The causation of an
 * event the reader may not see is left out, so its children become roots.
 */
export async function correlationEvents(reads: AuditReads, reader: AuditReader, correlationId: string, limit: number): Promise<Correlation> {
  const query = (await visibleEvents(reads, reader)).query.andWhere('a.correlation_id', correlationId).orderBy('a.position', 'asc').limit(limit + 1);
  const rows = await auditEventsOf(reads.knex, (await query.catch(unavailable)) as AuditRow[]);
  const events = rows.slice(0, limit);
  return { events: causationTree(events), truncated: rows.length > limit };
}

/** Links events by causation id; events come in log order, so a cause is always met before what it caused. */
export function causationTree(events: readonly AuditEvent[]): CorrelatedEvent[] {
  const byId = new Map<string, CorrelatedEvent>();
  const linked: CorrelatedEvent[] = [];
  for (const event of events) {
    const causationId = event.metadata['causationId'];
    const cause = typeof causationId === 'string' && causationId !== event.id ? byId.get(causationId) : undefined;
    const node: CorrelatedEvent = { ...event, causedBy: cause?.id ?? null, caused: [], depth: cause ? cause.depth + 1 : 0 };
    cause?.caused.push(node.id);
    byId.set(node.id, node);
    linked.push(node);
  }
  return linked;
}

const SELECTED = ['a.position', 'a.stream', 'a.revision', 'a.event_id', 'a.type', 'a.data', 'a.metadata', 'a.recorded_at'];

/** Wrapped: a query builder is a thenable, which an async function's return would run. */
async function visibleEvents(reads: AuditReads, reader: AuditReader): Promise<{ query: Knex.QueryBuilder }> {
  const withCollections = reader.type === 'operator' ? false : await reads.collections.check();
  return { query: whereAuditVisible(reads.knex(`${AUDIT_EVENTS} AS a`).select(SELECTED), reads.knex, reader, withCollections) };
}

async function pageOf(knex: Knex, query: Knex.QueryBuilder, page: PageRequest, direction: AuditDirection): Promise<Page<AuditEvent>> {
  const order: SortDirection = direction === 'forwards' ? 'asc' : 'desc';
  const found = await keysetPage<AuditRow>(query, { orderBy: [['position', order]], cursor: page.cursor, limit: page.limit }).catch(unavailable);
  return { items: await auditEventsOf(knex, found.items), nextCursor: found.nextCursor };
}

interface AuditRow {
  position: string;
  stream: string;
  revision: string;
  event_id: string;
  type: string;
  /** Both null: the payloads are read from the log (an analytics ingest's events). */
  data: JsonObject | null;
  metadata: JsonObject | null;
  recorded_at: Date;
}

/** The rows as events, with the payloads of those filed without them read from the log in one query. */
async function auditEventsOf(knex: Knex, rows: readonly AuditRow[]): Promise<AuditEvent[]> {
  const inLog = await logPayloadsAt(knex, rows.filter((row) => row.data === null || row.metadata === null).map((row) => String(row.position))).catch(unavailable);
  return rows.map((row) => auditEventOf(row, inLog.get(String(row.position))));
}

/** An event deleted from the log behind the application keeps its row, with empty payloads: the seal's verify names it. */
function auditEventOf(row: AuditRow, logged: LogPayloads | undefined): AuditEvent {
  return {
    position: String(row.position),
    stream: row.stream,
    revision: String(row.revision),
    id: row.event_id,
    type: row.type,
    data: row.data ?? logged?.data ?? {},
    metadata: row.metadata ?? logged?.metadata ?? {},
    recordedAt: row.recorded_at.toISOString(),
  };
}

function unavailable(error: unknown): never {
  throw ReadModelUnavailableError.translate(AUDIT_EVENTS_PROJECTION, error);
}
