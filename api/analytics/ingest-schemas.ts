import { z } from 'zod';
import { segmentCallTypes } from '../../domain/analytics/incoming.js';
import { jsonDeeperThan } from '../../infra/event-store/json-depth.js';
import { unstorable } from '../../infra/event-store/serialize-payloads.js';

/*
 * The ingest endpoints read their bodies raw (any Content-Type, gzip), so
 * these schemas check the envelope and document the rest; each event is
 * checked on its own by ingestEvents, a bad one quarantined.
 */

const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone' });

/** A batch's context goes into every event: what the log cannot keep refuses the request, not each event. */
const batchContext = z
  .record(z.string(), z.unknown(), { error: 'must be a JSON object' })
  .refine((context) => !unstorable(JSON.stringify(context)), 'must not hold U+0000 or an unpaired UTF-16 surrogate')
  .refine((context) => !jsonDeeperThan(JSON.stringify(context), 32), 'must not nest more than 32 levels deep');

/** The request-level fields of a Segment call: the write key, when it was sent, the context of every event in it. */
export const segmentEnvelopeSchema = z.looseObject({
  writeKey: z.string().optional(),
  sentAt: isoTime.nullish(),
  context: batchContext.nullish(),
});

export const segmentBatchSchema = segmentEnvelopeSchema.extend({
  batch: z.array(z.unknown(), { error: 'must be an array of events' }),
});

const documentedEvent = z
  .looseObject({
    type: z.enum(segmentCallTypes).optional().meta({ description: 'required in a batch; the path decides it for /v1/track and the like' }),
    messageId: z.string().optional().meta({ description: 'with the tenant, what makes a duplicate; one is given when absent' }),
    userId: z.string().optional(),
    anonymousId: z.string().optional(),
    event: z.string().optional().meta({ description: 'track calls: the event name' }),
    name: z.string().optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    traits: z.record(z.string(), z.unknown()).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    groupId: z.string().optional(),
    previousId: z.string().optional(),
    timestamp: z.string().optional(),
    sentAt: z.string().optional(),
  })
  .meta({ id: 'SegmentEvent' });

export const segmentBatchDocumentation = z
  .object({ batch: z.array(documentedEvent), writeKey: z.string().optional(), sentAt: z.string().optional(), context: z.record(z.string(), z.unknown()).optional() })
  .meta({ id: 'SegmentBatch' });

export const segmentCallDocumentation = documentedEvent.extend({ writeKey: z.string().optional() });

const nativeEventDocumentation = z
  .looseObject({
    event_id: z.string(),
    event_type: z.string(),
    timestamp: z.string().optional(),
    user_id: z.string().nullable().optional(),
    data: z.record(z.string(), z.unknown()).optional().meta({ description: 'action, page, session_id, ...: kept as the properties' }),
    metadata: z.object({ source: z.string().optional(), version: z.string().optional() }).optional(),
  })
  .meta({ id: 'NativeEvent' });

export const nativeEventsDocumentation = z.union([nativeEventDocumentation, z.array(nativeEventDocumentation)]);

const ingestCounts = {
  accepted: z.number().int().meta({ description: 'events appended now' }),
  duplicates: z.number().int().meta({ description: 'events sent before (same messageId or event_id), counted once' }),
  rejected: z
    .array(z.object({ index: z.number().int(), errors: z.array(z.object({ path: z.string(), message: z.string() })) }))
    .meta({ description: 'refused events by index, quarantined (GET /api/analytics/quarantine)' }),
  position: z.string().nullable().meta({ description: 'log position of the append (X-Min-Position); null when nothing was appended' }),
};

export const ingestAnswerSchema = z.object(ingestCounts).meta({ id: 'IngestAnswer' });
export const segmentAnswerSchema = z.object({ success: z.literal(true), ...ingestCounts }).meta({ id: 'SegmentIngestAnswer' });
