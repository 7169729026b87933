import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../../infra/event-store/event-store.js';
import type { GivenEvent } from './given-events.js';

export interface ReceivedOptions {
  type?: 'track' | 'identify' | 'page' | 'screen' | 'group' | 'alias' | 'native';
  event?: string | null;
  userId?: string | null;
  anonymousId?: string | null;
  properties?: JsonObject;
  traits?: JsonObject | null;
  /** The corrected timestamp. */
  at: string;
  /** Defaults to `at`. */
  receivedAt?: string;
  /** The ingest request's stream; a new one unless told. */
  request?: string;
}

/** An AnalyticsEventReceived as the ingest appends it (domain/analytics/events.ts). */
export function received(tenantId: string, messageId: string, options: ReceivedOptions): GivenEvent {
  const type = options.type ?? 'track';
  return {
    stream: `ingest-${options.request ?? randomUUID()}`,
    type: 'AnalyticsEventReceived',
    data: {
      tenantId,
      keyId: null,
      messageId,
      type,
      event: options.event === undefined ? (type === 'track' ? 'Clicked' : null) : options.event,
      userId: options.userId === undefined ? 'u-1' : options.userId,
      anonymousId: options.anonymousId ?? null,
      properties: options.properties ?? {},
      traits: options.traits ?? null,
      context: null,
      timestamp: options.at,
      correctedTimestamp: options.at,
      receivedAt: options.receivedAt ?? options.at,
      sentAt: null,
      enrichment: { browser: 'Firefox', os: 'Linux', device: 'desktop', ipTruncated: null, country: null },
      source: 'segment',
    },
  };
}

export function signedUp(tenantId: string, userId: string, email: string, displayName: string, occurredAt: string): GivenEvent {
  return {
    stream: `user-${userId}`,
    type: 'UserSignedUp',
    data: { userId, tenantId, email, displayName, method: 'password', invitationId: null },
    metadata: { occurredAt },
  };
}
