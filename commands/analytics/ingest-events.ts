import type { Knex } from 'knex';
import { v5 as uuidv5 } from 'uuid';
import type { AnalyticsEnrichment, AnalyticsEventReceived, AnalyticsEventRejected, AnalyticsSource, QuarantineReason } from '../../domain/analytics/events.js';
import { receivedEventId } from '../../domain/analytics/ids.js';
import { checkNativeEvent, checkSegmentEvent, isObject, type Checked, type SegmentCallType } from '../../domain/analytics/incoming.js';
import { mergedContext, receivedData } from '../../domain/analytics/received.js';
import { ingestStream } from '../../domain/analytics/streams.js';
import type { Actor } from '../../domain/shared/metadata.js';
import { DuplicateEventIdError } from '../../infra/event-store/errors.js';
import type { EventStore, JsonObject, NewEvent } from '../../infra/event-store/event-store.js';
import { jsonDeeperThan } from '../../infra/event-store/json-depth.js';
import { MAX_JSON_DEPTH, unstorable } from '../../infra/event-store/serialize-payloads.js';
import { buildMetadata, commandContext, type CommandOrigin } from '../metadata.js';
import type { Runtime } from '../runtime.js';
import { noEnrichment, type Enricher } from './enricher.js';
import { IngestEventTooLargeError, TooManyIngestEventsError } from './errors.js';
import { seenMessagesOf, type SeenMessages } from './message-ids.js';

export interface IngestLimits {
  /** ANALYTICS_MAX_EVENT_BYTES: an event's JSON text. */
  maxEventBytes: number;
  /** ANALYTICS_MAX_EVENTS_PER_REQUEST. */
  maxEventsPerRequest: number;
  /** ANALYTICS_QUARANTINE_RAW_BYTES: how much of a refused event's text is kept. */
  quarantineRawBytes: number;
}

export interface IngestDeps {
  eventStore: EventStore;
  knex: Knex;
  runtime: Runtime;
  limits: IngestLimits;
  /** Browser, OS, device, truncated address, country; nulls until told. */
  enricher?: Enricher;
  /** How earlier messages are found: seenMessagesOf(eventStore, knex) unless told. */
  seenMessages?: SeenMessages;
}

export interface IngestRequest {
  tenantId: string;
  /** The API key that sent the events; null for a user's bearer token. */
  keyId: string | null;
  actor: Actor;
  source: AnalyticsSource;
  receivedAt: Date;
  /** The batch's top-level sentAt (ISO), applied to events without their own. */
  sentAt?: string;
  /** The batch's top-level context, under each event's own. */
  context?: Record<string, unknown>;
  /** The client's address and user agent as the request shows them; an event's context.ip / context.userAgent win. */
  ip?: string;
  userAgent?: string;
  events: readonly unknown[];
  /** A quarantined event sent again, fixed: records AnalyticsQuarantineRetried once it is in; refused again, it is not quarantined twice. */
  retryOf?: string;
  /** `/v1/track` and the like: the endpoint's call type, over the body's. */
  impliedType?: SegmentCallType;
  /** The request was one event on its own (`/v1/track`, a native object): too large is 413, not quarantine. */
  single?: boolean;
  /** The request behind it, for the events' correlation and causation. */
  origin?: CommandOrigin;
}

export interface IngestResult {
  /** Events appended now (AnalyticsEventReceived). */
  accepted: number;
  /** Events the tenant had sent before (same messageId), here or in an earlier request: not appended again. */
  duplicates: number;
  /** Events refused, by their index in the request; each is quarantined (AnalyticsEventRejected) unless it was a retry. */
  rejected: { index: number; errors: QuarantineReason[] }[];
  /** Log position of the append; null when nothing was appended. */
  position: string | null;
}

const RETRIED_NAMESPACE = '9a3f3c0e-1b2d-4e5f-8a6b-7c8d9e0f1a2b';
/** A clash with ids already in the log is removed and the rest appended again; more rounds than this means something else is wrong. */
const MAX_CLASH_ROUNDS = 5;

/**
 * Ingests a request's events: each is checked on its own (a batch is never
 * refused for one bad event); valid ones not seen before are appended as
 * AnalyticsEventReceived with deterministic ids, invalid ones as
 * AnalyticsEventRejected (the quarantine), all in one append to a new
 * `ingest-<id>` stream. Resolves only once that append is durable: nothing
 * acknowledged can be lost. Duplicates (same tenant and messageId, in this
 * request or any earlier one) are counted, never appended twice.
 */
export async function ingestEvents(deps: IngestDeps, request: IngestRequest): Promise<IngestResult> {
  const { limits, runtime } = deps;
  if (request.events.length > limits.maxEventsPerRequest) throw new TooManyIngestEventsError(request.events.length, limits.maxEventsPerRequest);
  const enrich = lastEnrichmentKept(deps.enricher ?? noEnrichment);
  const batchContext = isObject(request.context) ? (request.context as AnalyticsEventReceived['data']['properties']) : null;
  const receivedIn = {
    tenantId: request.tenantId,
    keyId: request.keyId,
    source: request.source,
    receivedAt: request.receivedAt,
    receivedAtText: request.receivedAt.toISOString(),
    sentAt: request.sentAt ?? null,
    context: batchContext,
  };

  const received: AnalyticsEventReceived['data'][] = [];
  const rejected: IngestResult['rejected'] = [];
  const quarantined: AnalyticsEventRejected['data'][] = [];
  const inRequest = new Set<string>();
  let duplicates = 0;

  request.events.forEach((raw, index) => {
    const rawText = JSON.stringify(raw) ?? 'null';
    const checked = checkEvent(raw, rawText, request, limits);
    if (!checked.ok) {
      rejected.push({ index, errors: checked.reasons });
      if (request.retryOf === undefined) quarantined.push(rejectedData(request, rawText, checked.reasons, runtime.newId(), limits.quarantineRawBytes));
      return;
    }
    const messageId = checked.event.messageId ?? runtime.newId();
    if (inRequest.has(messageId)) {
      duplicates++;
      return;
    }
    inRequest.add(messageId);
    const context = mergedContext(batchContext, checked.event.context);
    const enrichment = enrich(textAt(context, 'ip') ?? request.ip ?? null, textAt(context, 'userAgent') ?? request.userAgent ?? null);
    received.push(receivedData(checked.event, messageId, receivedIn, context, enrichment));
  });

  const messageIds = deps.seenMessages ?? seenMessagesOf(deps.eventStore, deps.knex);
  const known = await messageIds.known(request.tenantId, received.map((event) => event.messageId));
  const fresh = received.filter((event) => !known.has(event.messageId));
  duplicates += received.length - fresh.length;

  const context = commandContext(runtime, request.origin ?? { requestId: null }, request.actor, request.tenantId);
  // One append, one moment: every event's metadata is the request's but for its id, built once.
  const metadata = buildMetadata(context, '', runtime, 1) as JsonObject;
  const newEvent = (id: string, type: string, data: object): NewEvent => ({ id, type, data: data as JsonObject, metadata: { ...metadata, eventId: id } });
  const freshIds = fresh.map((data) => receivedEventId(request.tenantId, data.messageId));
  const events: NewEvent[] = [
    ...fresh.map((data, i) => newEvent(freshIds[i]!, 'AnalyticsEventReceived', data)),
    ...quarantined.map((data) => newEvent(data.quarantineId, 'AnalyticsEventRejected', data)),
  ];
  const retried = request.retryOf !== undefined && received.length === 1 ? received[0]! : undefined;
  if (retried && request.retryOf !== undefined) {
    const data = { tenantId: request.tenantId, quarantineId: request.retryOf, messageId: retried.messageId };
    events.push(newEvent(uuidv5(`retried\n${request.retryOf}`, RETRIED_NAMESPACE), 'AnalyticsQuarantineRetried', data));
  }

  const appended = await appendSkippingRecorded(deps.eventStore, ingestStream(runtime.newId()), events);
  const clashingMessages = appended.recorded.size === 0 ? [] : fresh.filter((_, i) => appended.recorded.has(freshIds[i]!));
  duplicates += clashingMessages.length;
  // Only now, with the append durable: the ids it holds, and those the log already had (a crash came between the two before).
  await messageIds.remember(request.tenantId, fresh.map((data) => data.messageId), request.receivedAt);
  return {
    accepted: fresh.length - clashingMessages.length,
    duplicates,
    rejected,
    position: appended.position,
  };
}

function checkEvent(raw: unknown, rawText: string, request: IngestRequest, limits: IngestLimits): Checked {
  const bytes = Buffer.byteLength(rawText);
  if (bytes > limits.maxEventBytes) {
    if (request.single) throw new IngestEventTooLargeError(bytes, limits.maxEventBytes);
    return { ok: false, reasons: [{ path: '', message: `too_large: the event is ${bytes} bytes of JSON, more than ANALYTICS_MAX_EVENT_BYTES (${limits.maxEventBytes})` }] };
  }
  // The log keeps neither U+0000 nor an unpaired surrogate, nor nesting past its depth (the event sits one level down in its payload).
  if (unstorable(rawText)) return { ok: false, reasons: [{ path: '', message: 'a string or key holds U+0000 or an unpaired UTF-16 surrogate' }] };
  if (jsonDeeperThan(rawText, MAX_JSON_DEPTH - 1)) return { ok: false, reasons: [{ path: '', message: `nests objects and arrays more than ${MAX_JSON_DEPTH - 1} levels deep` }] };
  return request.source === 'native' ? checkNativeEvent(raw) : checkSegmentEvent(raw, request.impliedType);
}

function rejectedData(request: IngestRequest, rawText: string, reasons: QuarantineReason[], quarantineId: string, rawBytes: number): AnalyticsEventRejected['data'] {
  const { text, truncated } = cut(rawText, rawBytes);
  return {
    tenantId: request.tenantId,
    keyId: request.keyId,
    quarantineId,
    reasons,
    raw: text,
    truncated,
    receivedAt: request.receivedAt.toISOString(),
    source: request.source,
    ...(request.impliedType ? { impliedType: request.impliedType } : {}),
  };
}

/** The text's first `maxBytes` bytes of UTF-8, never ending inside a character (the text is well-formed: JSON.stringify escapes lone surrogates). */
function cut(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  let end = maxBytes;
  // Back off continuation bytes (10xxxxxx) to the start of the character they belong to.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString('utf8'), truncated: true };
}

function textAt(context: Record<string, unknown> | null, key: string): string | undefined {
  const value = context?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The enricher, asked again only when an event's address or user agent
 * differs from the one before: a batch's events mostly share the request's.
 * The events then share one enrichment object, which nothing changes.
 */
function lastEnrichmentKept(enricher: Enricher): (ip: string | null, userAgent: string | null) => AnalyticsEnrichment {
  let last: { ip: string | null; userAgent: string | null; enrichment: AnalyticsEnrichment } | undefined;
  return (ip, userAgent) => {
    if (last === undefined || last.ip !== ip || last.userAgent !== userAgent) last = { ip, userAgent, enrichment: enricher.enrich({ ip, userAgent }) };
    return last.enrichment;
  };
}

/**
 * Appends the events to a new stream, leaving out those whose ids the log
 * already holds (a retry whose first attempt was appended but never
 * acknowledged, or a duplicate racing this request): the store refuses the
 * whole append, naming them, and the rest is appended again.
 */
async function appendSkippingRecorded(eventStore: EventStore, stream: string, events: readonly NewEvent[]): Promise<{ position: string | null; recorded: Set<string> }> {
  const recorded = new Set<string>();
  let pending = [...events];
  for (let round = 0; pending.length > 0; round++) {
    try {
      const result = await eventStore.appendToStream(stream, pending, { expectedRevision: 'no_stream' });
      return { position: String(result.position), recorded };
    } catch (error) {
      if (!(error instanceof DuplicateEventIdError) || round >= MAX_CLASH_ROUNDS) throw error;
      const clashing = new Set(error.eventIds.map((id) => id.toLowerCase()));
      const remaining = pending.filter((event) => !clashing.has(event.id.toLowerCase()));
      if (remaining.length === pending.length) throw error;
      clashing.forEach((id) => recorded.add(id));
      pending = remaining;
    }
  }
  return { position: null, recorded };
}
