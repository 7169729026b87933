import { randomUUID } from 'node:crypto';
import type { EventStore, JsonObject } from '../../infra/event-store/event-store.js';
import { expectJson, type AuthAnswer, type HttpClient } from './auth-http.js';
import { uniqueEmail } from './identity-harness.js';

export interface CollectionAnswer {
  id: string;
  tenantId: string;
  ownerId: string;
  name: string;
  visibility: 'private' | 'public';
  postIds: string[];
  members?: Array<{ userId: string; role: 'editor' | 'viewer' }>;
  revision: string;
  position?: string | null;
}

/** A member of the admin's tenant, through an invitation. */
export async function inviteMember(http: HttpClient, admin: AuthAnswer): Promise<AuthAnswer> {
  const email = uniqueEmail('member');
  const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email, role: 'member' }, { bearer: admin.accessToken }), 201);
  return http.signup({ email, invitationToken: invitation.token });
}

/** A post as its stream records it (given events), for tests that need posts without the posts API. */
export async function givenPost(eventStore: EventStore, author: AuthAnswer, visibility: 'private' | 'public' = 'public'): Promise<string> {
  const postId = randomUUID();
  const id = randomUUID();
  const data: JsonObject = { postId, tenantId: author.user.tenantId, authorId: author.user.id, title: 'A post', body: 'Some text', format: 'plain', visibility };
  await eventStore.appendToStream(`post-${postId}`, [{ id, type: 'PostCreated', data, metadata: { ...metadataFor(author, id), schemaVersion: 2 } }]);
  return postId;
}

export async function givenPostDeleted(eventStore: EventStore, author: AuthAnswer, postId: string, correlationId = randomUUID()): Promise<string> {
  const id = randomUUID();
  await eventStore.appendToStream(`post-${postId}`, [{ id, type: 'PostDeleted', data: { postId }, metadata: { ...metadataFor(author, id), correlationId } }]);
  return id;
}

function metadataFor(author: AuthAnswer, eventId: string): JsonObject {
  return {
    eventId, correlationId: eventId, causationId: eventId, actor: { type: 'user', id: author.user.id }, tenantId: author.user.tenantId,
    requestId: null, occurredAt: new Date().toISOString(), schemaVersion: 1,
  };
}
