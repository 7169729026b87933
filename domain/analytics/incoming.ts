import { z } from 'zod';
import type { AnalyticsEventType, QuarantineReason } from './events.js';

/*
 * What a client may send, per event. Real clients send more than the spec
 * says (integrations, _metadata, library fields...): unknown fields pass and
 * are not kept, never a reason to refuse. What makes an event unusable is a
 * reason to quarantine it, with a path and a message per problem.
 */

const MAX_ID_LENGTH = 256;
const MAX_NAME_LENGTH = 512;

const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone (2026-12-01T10:00:00.000Z)' });
/**
 * A JSON object. Its values get no check of their own: every caller hands in
 * what JSON.parse made of a request body, which holds nothing but JSON.
 * z.json() walked and copied every value again: a sixth of the bytes the
 * ingest allocated under the bench's load, and two thirds of this check's time.
 */
const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }) as unknown as z.ZodType<Record<string, z.core.util.JSONType>>;
/** Segment lets ids be numbers; they are kept as text, so 42 and "42" are one user. */
const idText = z
  .union([z.string(), z.number().finite()], { error: 'must be a string or a number' })
  .transform((value) => String(value))
  .pipe(z.string().min(1, 'must not be empty').max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`));
const optionalId = idText.nullish();

export const segmentCallTypes = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type SegmentCallType = (typeof segmentCallTypes)[number];

/** One Segment call (the HTTP tracking API's common fields and each type's own). */
export const segmentEventSchema = z
  .looseObject({
    type: z.enum(segmentCallTypes, { error: `must be one of ${segmentCallTypes.join(', ')}` }),
    messageId: idText.optional(),
    userId: optionalId,
    anonymousId: optionalId,
    event: z.string().min(1, 'must not be empty').max(MAX_NAME_LENGTH).nullish(),
    name: z.string().max(MAX_NAME_LENGTH).nullish(),
    properties: jsonObject.nullish(),
    traits: jsonObject.nullish(),
    context: jsonObject.nullish(),
    groupId: optionalId,
    previousId: optionalId,
    timestamp: isoTime.nullish(),
    sentAt: isoTime.nullish(),
  })
  .superRefine((event, problems) => {
    if (event.userId == null && event.anonymousId == null) {
      problems.addIssue({ code: 'custom', path: ['userId'], message: 'a userId or an anonymousId is required' });
    }
    if (event.type === 'track' && event.event == null) problems.addIssue({ code: 'custom', path: ['event'], message: 'a track call needs its event name' });
    if (event.type === 'group' && event.groupId == null) problems.addIssue({ code: 'custom', path: ['groupId'], message: 'a group call needs a groupId' });
    if (event.type === 'alias' && event.previousId == null) problems.addIssue({ code: 'custom', path: ['previousId'], message: 'an alias call needs a previousId' });
  });
export type SegmentEvent = z.infer<typeof segmentEventSchema>;

/** `POST /api/events`: `{ event_id, event_type, timestamp, user_id, data, metadata: { source, version } }`. */
export const nativeEventSchema = z.looseObject({
  event_id: idText,
  event_type: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(MAX_NAME_LENGTH),
  timestamp: isoTime.nullish(),
  user_id: optionalId,
  data: jsonObject.nullish(),
  metadata: z
    .looseObject({
      source: z.string().max(MAX_NAME_LENGTH).nullish(),
      version: z.union([z.string(), z.number()]).transform(String).pipe(z.string().max(MAX_NAME_LENGTH)).nullish(),
    })
    .nullish(),
});
export type NativeEvent = z.infer<typeof nativeEventSchema>;

/** What every source's event comes down to, before the request's part (time, tenant, enrichment) is added. */
export interface IncomingEvent {
  /** Absent when a Segment client sent none: the ingest gives it one. */
  messageId: string | undefined;
  type: AnalyticsEventType;
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  properties: Record<string, z.core.util.JSONType>;
  traits: Record<string, z.core.util.JSONType> | null;
  context: Record<string, z.core.util.JSONType> | null;
  groupId: string | null;
  previousId: string | null;
  timestamp: string | null;
  sentAt: string | null;
  version?: string;
}

export type Checked = { ok: true; event: IncomingEvent } | { ok: false; reasons: QuarantineReason[] };

/**
 * A Segment call, checked. `impliedType` is the endpoint's (`/v1/track`): it
 * wins over the body's `type`, as at Segment; `/v1/batch` items need their own.
 */
export function checkSegmentEvent(raw: unknown, impliedType?: SegmentCallType): Checked {
  const candidate = impliedType !== undefined && isObject(raw) ? { ...raw, type: impliedType } : raw;
  const parsed = segmentEventSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, reasons: reasonsOf(parsed.error) };
  const event = parsed.data;
  const properties = { ...(event.properties ?? {}) };
  // page and screen calls name the page in `name`; kept among the properties, where the warehouse keeps the rest.
  if ((event.type === 'page' || event.type === 'screen') && event.name != null && properties['name'] === undefined) properties['name'] = event.name;
  return {
    ok: true,
    event: {
      messageId: event.messageId,
      type: event.type,
      event: event.type === 'track' ? (event.event ?? null) : null,
      userId: event.userId ?? null,
      anonymousId: event.anonymousId ?? null,
      properties,
      traits: event.traits ?? null,
      context: event.context ?? null,
      groupId: event.groupId ?? null,
      previousId: event.previousId ?? null,
      timestamp: event.timestamp ?? null,
      sentAt: event.sentAt ?? null,
    },
  };
}

export function checkNativeEvent(raw: unknown): Checked {
  const parsed = nativeEventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reasons: reasonsOf(parsed.error) };
  const event = parsed.data;
  const metadata = event.metadata ?? null;
  return {
    ok: true,
    event: {
      messageId: event.event_id,
      type: 'native',
      event: event.event_type,
      userId: event.user_id ?? null,
      anonymousId: null,
      properties: event.data ?? {},
      traits: null,
      // The native metadata (source, version) travels as the event's context.
      context: metadata ? (JSON.parse(JSON.stringify(metadata)) as Record<string, z.core.util.JSONType>) : null,
      groupId: null,
      previousId: null,
      timestamp: event.timestamp ?? null,
      sentAt: null,
      ...(metadata?.version != null ? { version: metadata.version } : {}),
    },
  };
}

function reasonsOf(error: z.ZodError): QuarantineReason[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
