import type { AnalyticsEnrichment, AnalyticsEventReceived } from '../../domain/analytics/events.js';
import type { UserSignedUp } from '../../domain/user/events.js';
import type { JsonObject, JsonValue, RecordedEvent } from '../../infra/event-store/event-store.js';

/**
 * What the warehouse reads of its two events, checked field by field. A
 * full zod parse of every AnalyticsEventReceived costs more than loading it
 * (its properties are free JSON): the warehouse checks only the fields it
 * stores, with the types of domain/analytics/events.ts and
 * domain/user/events.ts (the field names are typed by those schemas, so a
 * rename there fails to compile here), and stops at an event whose fields
 * do not fit (WarehouseEventError), as a read model does.
 */
export interface ReceivedFact {
  readonly tenantId: string;
  readonly keyId: string | null;
  readonly messageId: string;
  readonly type: string;
  /** The track name or native event_type; `$<type>` for the other calls (`$page`, `$identify`). */
  readonly event: string;
  readonly userId: string | null;
  readonly anonymousId: string | null;
  readonly properties: JsonObject;
  readonly traits: JsonObject | null;
  /** The corrected timestamp: the client's clock skew removed. */
  readonly occurredAt: Date;
  /** The timestamp as the client sent it. */
  readonly sentTimestamp: string | null;
  readonly receivedAt: Date;
  readonly browser: string | null;
  readonly os: string | null;
  readonly device: string | null;
  readonly country: string | null;
  readonly source: string;
  readonly position: bigint;
}

/** A new user: the first version of its traits in the users dimension. */
export interface SignedUpUser {
  readonly tenantId: string;
  readonly userId: string;
  readonly traits: JsonObject;
  readonly at: Date;
  readonly position: bigint;
}

export const RECEIVED = 'AnalyticsEventReceived';
export const SIGNED_UP = 'UserSignedUp';
const CALL_TYPES = new Set(['track', 'identify', 'page', 'screen', 'group', 'alias', 'native']);
/** Types whose `event` is their own name; the others are written `$<type>`. */
const NAMED_TYPES = new Set(['track', 'native']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An event of a type the warehouse handles whose data it cannot store. Names the field, never its value. */
export class WarehouseEventError extends Error {
  override readonly name = 'WarehouseEventError';
  constructor(
    readonly eventType: string,
    readonly position: bigint,
    readonly field: string,
  ) {
    super(`warehouse: event ${eventType} at position ${String(position)} does not match its schema (data.${field})`);
  }
}

export function readReceivedFact(event: RecordedEvent): ReceivedFact {
  const fields = new Fields<AnalyticsEventReceived['data']>(event, event.data);
  const type = fields.text('type');
  if (!CALL_TYPES.has(type)) throw fields.invalid('type');
  const name = fields.optionalText('event');
  const enrichment = new Fields<AnalyticsEnrichment>(event, fields.object('enrichment'), 'enrichment.');
  return {
    tenantId: fields.uuid('tenantId'),
    keyId: fields.optionalUuid('keyId'),
    messageId: fields.text('messageId'),
    type,
    event: NAMED_TYPES.has(type) && name !== null ? name : `$${type}`,
    userId: fields.optionalText('userId'),
    anonymousId: fields.optionalText('anonymousId'),
    properties: fields.object('properties'),
    traits: fields.optionalObject('traits'),
    occurredAt: fields.time('correctedTimestamp'),
    sentTimestamp: fields.optionalTime('timestamp'),
    receivedAt: fields.time('receivedAt'),
    browser: enrichment.optionalText('browser'),
    os: enrichment.optionalText('os'),
    device: enrichment.optionalText('device'),
    country: enrichment.optionalText('country'),
    source: fields.text('source'),
    position: event.position,
  };
}

/** Signup gives a user its first traits: the email and the display name (Segment's reserved `email` and `name`). */
export function readSignedUpUser(event: RecordedEvent): SignedUpUser {
  const fields = new Fields<UserSignedUp['data']>(event, event.data);
  const displayName = fields.optionalText('displayName');
  const occurredAt = event.metadata['occurredAt'];
  return {
    tenantId: fields.uuid('tenantId'),
    userId: fields.text('userId'),
    traits: { email: fields.text('email'), ...(displayName ? { name: displayName } : {}) },
    at: typeof occurredAt === 'string' && !Number.isNaN(Date.parse(occurredAt)) ? new Date(occurredAt) : event.recordedAt,
    position: event.position,
  };
}

/** Typed reads of one event's data (or a part of it), by the field names of its schema. */
class Fields<Data> {
  constructor(
    private readonly event: RecordedEvent,
    private readonly data: JsonObject,
    private readonly path = '',
  ) {}

  invalid(field: keyof Data & string): WarehouseEventError {
    return new WarehouseEventError(this.event.type, this.event.position, `${this.path}${field}`);
  }

  text(field: keyof Data & string): string {
    const value = this.data[field];
    if (typeof value !== 'string' || value.length === 0) throw this.invalid(field);
    return value;
  }

  optionalText(field: keyof Data & string): string | null {
    const value = this.data[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') throw this.invalid(field);
    return value;
  }

  /** Lower case, as PostgreSQL prints it, so keys compare equal in memory too. */
  uuid(field: keyof Data & string): string {
    const value = this.text(field);
    if (!UUID.test(value)) throw this.invalid(field);
    return value.toLowerCase();
  }

  optionalUuid(field: keyof Data & string): string | null {
    const value = this.optionalText(field);
    if (value !== null && !UUID.test(value)) throw this.invalid(field);
    return value === null ? null : value.toLowerCase();
  }

  object(field: keyof Data & string): JsonObject {
    const value = this.optionalObject(field);
    if (value === null) throw this.invalid(field);
    return value;
  }

  optionalObject(field: keyof Data & string): JsonObject | null {
    const value: JsonValue | undefined = this.data[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'object' || Array.isArray(value)) throw this.invalid(field);
    return value;
  }

  time(field: keyof Data & string): Date {
    const value = this.optionalTime(field);
    if (value === null) throw this.invalid(field);
    return new Date(value);
  }

  optionalTime(field: keyof Data & string): string | null {
    const value = this.optionalText(field);
    if (value !== null && Number.isNaN(Date.parse(value))) throw this.invalid(field);
    return value;
  }
}
