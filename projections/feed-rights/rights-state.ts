import type { z } from 'zod';
import { collectionEventSchema, type CollectionEvent } from '../../domain/collection/events.js';
import { COLLECTION_CATEGORY } from '../../domain/collection/streams.js';
import { postEventSchema, type PostEvent } from '../../domain/post/events.js';
import { POST_CATEGORY } from '../../domain/post/streams.js';
import type { Upcasters } from '../../domain/shared/upcasting.js';
import { tenantEventSchema, type TenantEvent } from '../../domain/tenant/events.js';
import { TENANT_CATEGORY } from '../../domain/tenant/streams.js';
import { userEventSchema, type UserEvent } from '../../domain/user/events.js';
import type { Role } from '../../domain/user/roles.js';
import { USER_CATEGORY } from '../../domain/user/streams.js';
import type { EventFilter, RecordedEvent } from '../../infra/event-store/event-store.js';
import { upcastEvent } from '../../infra/event-store/upcast-event.js';
import { CollectionFacts, PostFacts, StringPool, visibilityOf, type ApiKeyFacts, type UserFacts } from './rights-facts.js';

/** The streams whose events change rights: the start-up fold reads these only (later events all go through apply). */
export const FEED_RIGHTS_FILTER: EventFilter = {
  streamPrefixes: [POST_CATEGORY, COLLECTION_CATEGORY, USER_CATEGORY, TENANT_CATEGORY].map((category) => `${category}-`),
};

/** The id after `<category>-`, or undefined for another category. */
export function idInStream(stream: string, category: string): string | undefined {
  return stream.length > category.length + 1 && stream.charCodeAt(category.length) === 45 /* - */ && stream.startsWith(category)
    ? stream.slice(category.length + 1)
    : undefined;
}

const knownTypes = (schema: { options: ReadonlyArray<{ shape: { type: { value: string } } }> }): ReadonlySet<string> =>
  new Set(schema.options.map((option) => option.shape.type.value));
const postTypes = knownTypes(postEventSchema);
const collectionTypes = knownTypes(collectionEventSchema);
const userTypes = knownTypes(userEventSchema);
const tenantTypes = knownTypes(tenantEventSchema);

/**
 * The fold: posts, collections, users and API keys as the log says they are
 * after the last event applied. Events are upcast first (the store delivers
 * them as stored) and parsed by the domain's schemas; an event of a known
 * type whose payload fails its schema is counted and skipped, since a feed
 * that stopped on one bad event would stop for every reader.
 */
export class RightsState {
  readonly posts = new Map<string, PostFacts>();
  readonly collections = new Map<string, CollectionFacts>();
  readonly users = new Map<string, UserFacts>();
  readonly apiKeys = new Map<string, ApiKeyFacts>();
  private readonly pool = new StringPool();
  private invalid = 0;

  constructor(private readonly upcasters: Upcasters) {}

  /** Events of a known type skipped: refused by their schema, or a creation naming another id than its stream's. */
  get invalidEvents(): number {
    return this.invalid;
  }

  apply(recorded: RecordedEvent): void {
    const { stream, type } = recorded;
    const postId = idInStream(stream, POST_CATEGORY);
    if (postId !== undefined) {
      if (postTypes.has(type)) this.parsed(recorded, postEventSchema, (event) => this.applyPost(postId, event));
      return;
    }
    const collectionId = idInStream(stream, COLLECTION_CATEGORY);
    if (collectionId !== undefined) {
      if (collectionTypes.has(type)) this.parsed(recorded, collectionEventSchema, (event) => this.applyCollection(collectionId, event));
      return;
    }
    const userId = idInStream(stream, USER_CATEGORY);
    if (userId !== undefined) {
      if (userTypes.has(type)) this.parsed(recorded, userEventSchema, (event) => this.applyUser(userId, event));
      return;
    }
    const tenantId = idInStream(stream, TENANT_CATEGORY);
    if (tenantId !== undefined && tenantTypes.has(type)) this.parsed(recorded, tenantEventSchema, (event) => this.applyTenant(tenantId, event));
  }

  private parsed<Event>(recorded: RecordedEvent, schema: z.ZodType<Event>, evolve: (event: Event) => void): void {
    const current = upcastEvent(recorded, this.upcasters);
    const result = schema.safeParse({ type: current.type, data: current.data });
    if (result.success) evolve(result.data);
    else this.invalid++;
  }

  /**
   * Whether a creation names the stream's own id. The map keys are the
   * payload's ids: a slice of the stream name would keep the whole name alive.
   */
  private sameId(streamId: string, dataId: string): boolean {
    if (streamId === dataId) return true;
    this.invalid++;
    return false;
  }

  private applyPost(postId: string, event: PostEvent): void {
    switch (event.type) {
      case 'PostCreated': {
        if (this.posts.has(postId) || !this.sameId(postId, event.data.postId)) return;
        const { tenantId, authorId, visibility } = event.data;
        this.posts.set(event.data.postId, new PostFacts(this.pool.intern(tenantId), this.pool.intern(authorId), visibilityOf(visibility)));
        return;
      }
      case 'PostVisibilityChanged': {
        const post = this.posts.get(postId);
        if (post) post.visibility = visibilityOf(event.data.visibility);
        return;
      }
      case 'PostDeleted': {
        const post = this.posts.get(postId);
        if (post) post.deleted = true;
        return;
      }
      case 'PostUpdated':
        return;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }

  private applyCollection(collectionId: string, event: CollectionEvent): void {
    if (event.type === 'CollectionCreated') {
      if (this.collections.has(collectionId) || !this.sameId(collectionId, event.data.collectionId)) return;
      const { tenantId, ownerId, visibility } = event.data;
      this.collections.set(event.data.collectionId, new CollectionFacts(this.pool.intern(tenantId), this.pool.intern(ownerId), visibilityOf(visibility)));
      return;
    }
    const collection = this.collections.get(collectionId);
    if (!collection) return;
    switch (event.type) {
      case 'CollectionVisibilityChanged':
        collection.visibility = visibilityOf(event.data.visibility);
        return;
      case 'CollectionDeleted':
        collection.deleted = true;
        return;
      case 'PostAddedToCollection': {
        this.posts.get(event.data.postId)?.addHolder(collection);
        return;
      }
      case 'PostRemovedFromCollection':
        this.posts.get(event.data.postId)?.removeHolder(collection);
        return;
      case 'CollectionMemberAdded':
        collection.setMember(this.pool.intern(event.data.userId), event.data.role === 'editor' ? 'editor' : 'viewer');
        return;
      case 'CollectionMemberRemoved':
        collection.removeMember(event.data.userId);
        return;
      case 'CollectionRenamed':
      case 'PostMovedInCollection':
        return;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }

  private applyUser(userId: string, event: UserEvent): void {
    if (event.type === 'UserSignedUp') {
      if (!this.users.has(userId) && this.sameId(userId, event.data.userId)) this.users.set(this.pool.intern(event.data.userId), { tenantId: this.pool.intern(event.data.tenantId), roles: [], disabled: false });
      return;
    }
    const user = this.users.get(userId);
    if (!user) return;
    switch (event.type) {
      case 'UserRoleGranted':
        if (!user.roles.includes(event.data.role)) user.roles = [...user.roles, roleOf(event.data.role)];
        return;
      case 'UserRoleRevoked':
        user.roles = user.roles.filter((role) => role !== event.data.role);
        return;
      case 'UserDisabled':
        user.disabled = true;
        return;
      case 'UserEnabled':
        user.disabled = false;
        return;
      case 'UserLoggedIn':
      case 'UserLoginFailed':
      case 'UserPasswordChanged':
      case 'ExternalIdentityLinked':
      case 'UserEmailVerified':
      case 'UserPasswordReset':
      case 'UserAccountClaimed':
        return;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }

  private applyTenant(tenantId: string, event: TenantEvent): void {
    switch (event.type) {
      case 'ApiKeyIssued':
        if (!this.apiKeys.has(event.data.keyId)) {
          this.apiKeys.set(event.data.keyId, { tenantId: this.pool.intern(tenantId), issuedBy: this.pool.intern(event.data.issuedBy), revoked: false });
        }
        return;
      case 'ApiKeyRevoked': {
        const key = this.apiKeys.get(event.data.keyId);
        if (key) key.revoked = true;
        return;
      }
      case 'TenantCreated':
      case 'TenantInvitationIssued':
      case 'TenantInvitationAccepted':
      case 'TenantInvitationRevoked':
      case 'TenantAdminAdded':
      case 'TenantAdminRemoved':
        return;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }
}

/** The literal, not the parsed string. */
function roleOf(role: Role): Role {
  return role === 'admin' ? 'admin' : role === 'operator' ? 'operator' : 'member';
}
