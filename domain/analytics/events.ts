import { z } from 'zod';
import { eventSchema } from '../shared/events.js';

/*
 * The analytics events (docs/CONTRACT.md section 2, issue 12). Like every
 * event they are facts: their schemas accept whatever a past version of the
 * ingest rules let through. What a client may send is checked at ingest
 * (domain/analytics/incoming.ts), not here.
 */

/** Where an event came in: the Segment-compatible `/v1/*` endpoints or the native `POST /api/events`. */
export const analyticsSourceSchema = z.enum(['segment', 'native']);
export type AnalyticsSource = z.infer<typeof analyticsSourceSchema>;

/** Segment's call types, and `native` for `POST /api/events`. */
export const analyticsEventTypeSchema = z.enum(['track', 'identify', 'page', 'screen', 'group', 'alias', 'native']);
export type AnalyticsEventType = z.infer<typeof analyticsEventTypeSchema>;

const jsonObjectSchema = z.record(z.string(), z.json());

/** Derived at ingest from the request (user agent, client address) and the operator's GeoIP database. */
export const analyticsEnrichmentSchema = z.object({
  browser: z.string().nullable(),
  os: z.string().nullable(),
  device: z.string().nullable(),
  /** IPv4 /24 or IPv6 /48 unless ANALYTICS_KEEP_FULL_IP=true; null when the address is unknown. */
  ipTruncated: z.string().nullable(),
  /** ISO 3166-1 alpha-2, when ANALYTICS_GEOIP_DB is set and knows the address. */
  country: z.string().nullable(),
});
export type AnalyticsEnrichment = z.infer<typeof analyticsEnrichmentSchema>;

const isoTime = z.iso.datetime({ offset: true });

/**
 * One accepted raw event. Its event id is `receivedEventId(tenantId, messageId)`
 * (ids.ts), so the same message appended again is recognised by the store.
 */
export const analyticsEventReceivedSchema = eventSchema(
  'AnalyticsEventReceived',
  z.object({
    tenantId: z.string().min(1),
    /** The API key that sent it; null for a signed-in user's bearer token. */
    keyId: z.string().min(1).nullable(),
    /** Segment's messageId, or the native event_id: with the tenant, what makes an event a duplicate. */
    messageId: z.string().min(1),
    type: analyticsEventTypeSchema,
    /** The track call's name or the native event_type; null for the other types (the warehouse writes `$page`, `$identify`...). */
    event: z.string().nullable(),
    userId: z.string().nullable(),
    anonymousId: z.string().nullable(),
    properties: jsonObjectSchema,
    /** identify and group calls' traits. */
    traits: jsonObjectSchema.nullable(),
    /** The event's context, merged over the batch's top-level one (the event's own fields win). */
    context: jsonObjectSchema.nullable(),
    /** group calls' groupId and alias calls' previousId. */
    groupId: z.string().nullable().optional(),
    previousId: z.string().nullable().optional(),
    /** The event's timestamp as the client sent it (its own clock); null when it sent none. */
    timestamp: isoTime.nullable(),
    /** receivedAt - (sentAt - timestamp): the client's clock skew removed; the timestamp itself without a sentAt; receivedAt without either. */
    correctedTimestamp: isoTime,
    receivedAt: isoTime,
    /** When the client sent the request (the event's own, else the batch's), by the client's clock. */
    sentAt: isoTime.nullable(),
    enrichment: analyticsEnrichmentSchema,
    source: analyticsSourceSchema,
    /** The native event's metadata.version. */
    version: z.string().optional(),
  }),
);

export const quarantineReasonSchema = z.object({
  /** Where in the event: `userId`, `properties.price`, `` for the whole event. */
  path: z.string(),
  message: z.string(),
});
export type QuarantineReason = z.infer<typeof quarantineReasonSchema>;

/** An event refused at ingest, kept with its reasons and its raw text (Snowplow's failed events: never lost, replayable). */
export const analyticsEventRejectedSchema = eventSchema(
  'AnalyticsEventRejected',
  z.object({
    tenantId: z.string().min(1),
    keyId: z.string().min(1).nullable(),
    quarantineId: z.string().min(1),
    reasons: z.array(quarantineReasonSchema),
    /** The event's JSON text, cut at ANALYTICS_QUARANTINE_RAW_BYTES (then `truncated`). */
    raw: z.string(),
    truncated: z.boolean(),
    receivedAt: isoTime,
    /** Which endpoint refused it, so a retry validates it by the same rules. */
    source: analyticsSourceSchema.optional(),
    /** The Segment call type the endpoint implied (`/v1/track` → track), when it was not a batch. */
    impliedType: analyticsEventTypeSchema.optional(),
  }),
);

/** A quarantined event sent again, fixed, and accepted as `messageId`: the quarantine lists it as resolved. */
export const analyticsQuarantineRetriedSchema = eventSchema(
  'AnalyticsQuarantineRetried',
  z.object({ tenantId: z.string().min(1), quarantineId: z.string().min(1), messageId: z.string().min(1) }),
);

/** A spike or a drop in one event's per-minute count (anomaly-<tenantId> streams). */
export const anomalyDetectedSchema = eventSchema(
  'AnomalyDetected',
  z.object({
    tenantId: z.string().min(1),
    event: z.string(),
    /** The minute (UTC, ISO) whose count was unusual. */
    minute: isoTime,
    kind: z.enum(['spike', 'drop']),
    observed: z.number(),
    expected: z.number(),
    z: z.number(),
  }),
);

export const ingestEventSchema = z.discriminatedUnion('type', [analyticsEventReceivedSchema, analyticsEventRejectedSchema, analyticsQuarantineRetriedSchema]);
export const analyticsEventSchema = z.discriminatedUnion('type', [
  analyticsEventReceivedSchema,
  analyticsEventRejectedSchema,
  analyticsQuarantineRetriedSchema,
  anomalyDetectedSchema,
]);

export type AnalyticsEventReceived = z.infer<typeof analyticsEventReceivedSchema>;
export type AnalyticsEventRejected = z.infer<typeof analyticsEventRejectedSchema>;
export type AnalyticsQuarantineRetried = z.infer<typeof analyticsQuarantineRetriedSchema>;
export type AnomalyDetected = z.infer<typeof anomalyDetectedSchema>;
export type IngestEvent = z.infer<typeof ingestEventSchema>;
export type AnalyticsEvent = z.infer<typeof analyticsEventSchema>;
export type AnalyticsEventTypeName = AnalyticsEvent['type'];

export const analyticsEventTypes: readonly AnalyticsEventTypeName[] = analyticsEventSchema.options.map((option) => option.shape.type.value);
