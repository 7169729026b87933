import type { AnalyticsEnrichment, AnalyticsEventReceived, AnalyticsSource } from './events.js';
import type { IncomingEvent } from './incoming.js';

type JsonObject = AnalyticsEventReceived['data']['properties'];

/** The request's part of every event in it. */
export interface ReceivedIn {
  tenantId: string;
  keyId: string | null;
  source: AnalyticsSource;
  receivedAt: Date;
  /** `receivedAt` as ISO text, written once for every event of the request. */
  receivedAtText: string;
  /** The batch's top-level sentAt: an event's own wins. */
  sentAt: string | null;
  /** The batch's top-level context: an event's own fields win. */
  context: JsonObject | null;
}

/**
 * The clock-skew-corrected time of an event: the client's clock was off by
 * (sentAt - receivedAt), so the event happened at receivedAt - (sentAt -
 * timestamp). Without a sentAt the timestamp is all there is; without a
 * timestamp, the moment it arrived.
 */
export function correctedTimestamp(receivedAt: Date, sentAt: string | null, timestamp: string | null): Date {
  if (timestamp === null) return receivedAt;
  const happened = Date.parse(timestamp);
  if (sentAt === null) return new Date(happened);
  const corrected = receivedAt.getTime() - (Date.parse(sentAt) - happened);
  // A skew beyond what a Date holds is a broken clock: the timestamp as sent is the better guess.
  return Number.isFinite(new Date(corrected).getTime()) ? new Date(corrected) : new Date(happened);
}

/** The batch's context under the event's own (shallow: each top-level field is the event's if it has one). */
export function mergedContext(batch: JsonObject | null, own: JsonObject | null): JsonObject | null {
  if (batch === null) return own;
  if (own === null) return { ...batch };
  return { ...batch, ...own };
}

/**
 * The AnalyticsEventReceived of a checked event. `context.ip` is replaced by
 * the enrichment's truncated address (or dropped), so a full address is
 * never kept unless the operator asked for it.
 */
export function receivedData(event: IncomingEvent, messageId: string, request: ReceivedIn, context: JsonObject | null, enrichment: AnalyticsEnrichment): AnalyticsEventReceived['data'] {
  const sentAt = event.sentAt ?? request.sentAt;
  const keptContext = context === null ? null : withoutFullIp(context, enrichment.ipTruncated);
  return {
    tenantId: request.tenantId,
    keyId: request.keyId,
    messageId,
    type: event.type,
    event: event.event,
    userId: event.userId,
    anonymousId: event.anonymousId,
    properties: event.properties,
    traits: event.traits,
    context: keptContext,
    ...(event.groupId !== null ? { groupId: event.groupId } : {}),
    ...(event.previousId !== null ? { previousId: event.previousId } : {}),
    timestamp: event.timestamp,
    correctedTimestamp: correctedTimestamp(request.receivedAt, sentAt, event.timestamp).toISOString(),
    receivedAt: request.receivedAtText,
    sentAt,
    enrichment,
    source: request.source,
    ...(event.version !== undefined ? { version: event.version } : {}),
  };
}

function withoutFullIp(context: JsonObject, ipTruncated: string | null): JsonObject {
  if (!('ip' in context)) return context;
  const { ip: _full, ...rest } = context;
  return ipTruncated === null ? rest : { ...rest, ip: ipTruncated };
}
