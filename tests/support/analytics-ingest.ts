import { gzipSync } from 'node:zlib';
import type { Knex } from 'knex';
import type { AnalyticsEventReceived, AnalyticsEventRejected, AnalyticsQuarantineRetried } from '../../domain/analytics/events.js';
import { INGEST_STREAM_PREFIX } from '../../domain/analytics/streams.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import { expectJson, type HttpClient } from './auth-http.js';
import { eventually } from './projection-harness.js';

export interface IssuedKey {
  id: string;
  key: string;
}

export interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: { index: number; errors: { path: string; message: string }[] }[];
  position: string | null;
  success?: true;
}

export type IngestLogEvent =
  | { type: 'AnalyticsEventReceived'; data: AnalyticsEventReceived['data']; stream: string; metadata: Record<string, unknown> }
  | { type: 'AnalyticsEventRejected'; data: AnalyticsEventRejected['data']; stream: string; metadata: Record<string, unknown> }
  | { type: 'AnalyticsQuarantineRetried'; data: AnalyticsQuarantineRetried['data']; stream: string; metadata: Record<string, unknown> };

/** An API key of the admin's tenant (the write key of the Segment clients). */
export async function issueKey(http: HttpClient, adminToken: string, body: Record<string, unknown> = {}): Promise<IssuedKey> {
  return expectJson<IssuedKey>(await http.post('/api/api-keys', { name: 'ingest', ...body }, { bearer: adminToken }), 201);
}

/** `Authorization: Basic` with the write key as the user name and an empty password, as Segment's clients send it. */
export function basic(writeKey: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` };
}

/** A raw POST: the body as given (a gzip buffer, a form-typed JSON text), any headers. */
export async function postRaw(url: string, body: string | Buffer, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers, body });
}

export function gzipJson(value: unknown): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(value)));
}

/** Every ingest event of the tenant in the log, in log order. */
export async function ingestLog(eventStore: EventStore, tenantId: string): Promise<IngestLogEvent[]> {
  const events = await eventStore.readAll({ filter: { streamPrefixes: [INGEST_STREAM_PREFIX] } });
  return events
    .map((event) => ({ type: event.type, data: event.data, stream: event.stream, metadata: event.metadata }) as IngestLogEvent)
    .filter((event) => event.data.tenantId === tenantId);
}

export function received(log: readonly IngestLogEvent[]): AnalyticsEventReceived['data'][] {
  return log.flatMap((event) => (event.type === 'AnalyticsEventReceived' ? [event.data] : []));
}

export function quarantined(log: readonly IngestLogEvent[]): AnalyticsEventRejected['data'][] {
  return log.flatMap((event) => (event.type === 'AnalyticsEventRejected' ? [event.data] : []));
}

export interface FactRow {
  message_id: string;
  type: string;
  event: string | null;
  user_id: string | null;
  key_id: string | null;
  browser: string | null;
}

/**
 * The tenant's facts in the warehouse (built by its projection in a `start`
 * app), once `ready` holds for them; fails after 20 s.
 */
export async function warehouseFacts(knex: Knex, tenantId: string, ready: (facts: FactRow[]) => boolean): Promise<FactRow[]> {
  let facts: FactRow[] = [];
  await eventually('the warehouse holds the events', async () => {
    const { rows } = await knex.raw<{ rows: FactRow[] }>(
      'SELECT message_id, type, event, user_id, key_id::text AS key_id, browser FROM warehouse.facts WHERE tenant_id = ? ORDER BY message_id',
      [tenantId],
    );
    facts = rows;
    return ready(rows);
  });
  return facts;
}
