import { randomUUID } from 'node:crypto';
import { eventMessageTail, subscriptionHead } from '../../api/feed/feed-event-text.js';
import type { JsonObject, NewEvent } from '../../infra/event-store/event-store.js';
import { markedText } from './marks.js';

/** Every post's body: about 500 bytes of text, as in the content bench. */
export const POST_BODY = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. '.repeat(5);

export function postTitle(seq: number): string {
  return `${markedText(seq)} a post of the feed bench`;
}

/** Who writes the burst's posts, and the envelope their events carry (taken from a post the API wrote, or made up when there is none). */
export interface PostTemplate {
  tenantId: string;
  authorId: string;
  metadata: JsonObject;
}

export function syntheticTemplate(): PostTemplate {
  const tenantId = randomUUID();
  const authorId = randomUUID();
  const correlationId = randomUUID();
  return {
    tenantId,
    authorId,
    metadata: {
      correlationId,
      causationId: correlationId,
      actor: { type: 'user', id: authorId },
      tenantId,
      requestId: randomUUID(),
      occurredAt: new Date().toISOString(),
      schemaVersion: 2,
    },
  };
}

/** A post's creation as the content feature records it (a private post of the template's tenant), carrying `seq`'s mark. */
export function postCreated(seq: number, template: PostTemplate): { stream: string; event: NewEvent } {
  const postId = randomUUID();
  const id = randomUUID();
  const correlationId = randomUUID();
  const eventId: JsonObject = 'eventId' in template.metadata ? { eventId: id } : {};
  return {
    stream: `post-${postId}`,
    event: {
      id,
      type: 'PostCreated',
      data: { postId, tenantId: template.tenantId, authorId: template.authorId, title: postTitle(seq), body: POST_BODY, format: 'plain', visibility: 'private' },
      metadata: { ...template.metadata, correlationId, causationId: correlationId, requestId: randomUUID(), occurredAt: new Date().toISOString(), ...eventId },
    },
  };
}

/**
 * The `event` message the feed sends for it, serialised by the feed's own
 * functions (api/feed/feed-event-text.ts) once: what the raw `ws` reference
 * broadcasts.
 */
export function feedEventMessage(subscription: string, position: bigint, stream: string, event: NewEvent): string {
  return subscriptionHead(subscription) + eventMessageTail({ ...event, stream, revision: 0n, position, recordedAt: new Date() });
}
