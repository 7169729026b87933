import { beforeEach, describe, expect, it } from '@jest/globals';
import { postUpcasters } from '../../domain/post/upcasters.js';
import { Upcasters } from '../../domain/shared/upcasting.js';
import { tenantUpcasters } from '../../domain/tenant/upcasters.js';
import type { Role } from '../../domain/user/roles.js';
import type { JsonObject, RecordedEvent } from '../../infra/event-store/event-store.js';
import { FeedRights, GUEST_READER, type FeedReader } from '../../projections/feed-rights/index.js';

/*
 * Given events of the log (in order), then who may read which: each test
 * applies events as the hub does (apply, then ask), so "as of the event"
 * is what is asserted.
 */

type Actor = { type: 'user' | 'apiKey' | 'system'; id: string };
const SYSTEM: Actor = { type: 'system', id: 'chronicle' };

let position = 0n;
function event(stream: string, type: string, data: JsonObject, by: Actor, tenantId: string | null, schemaVersion = 1): RecordedEvent {
  position++;
  return {
    id: `00000000-0000-7000-8000-${String(position).padStart(12, '0')}`,
    stream,
    revision: 0n,
    position,
    type,
    data,
    metadata: { correlationId: 'c', causationId: 'c', actor: by, tenantId, requestId: null, occurredAt: '2026-01-01T00:00:00.000Z', schemaVersion },
    recordedAt: new Date(0),
  };
}

const user = (userId: string, tenantId: string, roles: Role[] = ['member']): FeedReader => ({ kind: 'user', userId, tenantId, roles });
const as = (userId: string): Actor => ({ type: 'user', id: userId });

// Tenant t1: admin, author, member, outsider (a member given nothing); tenant t2: other; operator in t0.
const admin = user('admin', 't1', ['admin', 'member']);
const author = user('author', 't1');
const member = user('member', 't1');
const outsider = user('outsider', 't1');
const otherTenantAdmin = user('other', 't2', ['admin', 'member']);
const operator = user('operator', 't0', ['operator']);
const apiKey: FeedReader = { kind: 'apiKey', keyId: 'key-1', tenantId: 't1' };
const everyone = { guest: GUEST_READER, admin, author, member, outsider, otherTenantAdmin, operator, apiKey };
type Who = keyof typeof everyone;

let rights: FeedRights;

/** Applies the event, then answers who of `everyone` may read it (as the hub does). */
function applied(recorded: RecordedEvent): Record<Who, boolean> {
  rights.apply(recorded);
  return readers(recorded);
}

function readers(recorded: RecordedEvent): Record<Who, boolean> {
  return Object.fromEntries(Object.entries(everyone).map(([who, reader]) => [who, rights.mayRead(reader, recorded)])) as Record<Who, boolean>;
}

/** Those of `everyone` named read it, nobody else does. */
function only(...names: Who[]): Record<Who, boolean> {
  return Object.fromEntries(Object.keys(everyone).map((who) => [who, names.includes(who as Who)])) as Record<Who, boolean>;
}

const signUp = (userId: string, tenantId: string, roles: Role[]): RecordedEvent[] => [
  event(`user-${userId}`, 'UserSignedUp', { userId, tenantId, email: `${userId}@example.com`, displayName: userId, method: 'password', invitationId: null }, as(userId), tenantId),
  ...roles.map((role) => event(`user-${userId}`, 'UserRoleGranted', { userId, role }, SYSTEM, tenantId)),
];
const postCreated = (postId: string, visibility: 'public' | 'private', authorId = 'author', tenantId = 't1') =>
  event(`post-${postId}`, 'PostCreated', { postId, tenantId, authorId, title: 'T', body: 'B', format: 'plain', visibility }, as(authorId), tenantId, 2);
const postUpdated = (postId: string, by: Actor = as('author')) =>
  event(`post-${postId}`, 'PostUpdated', { postId, title: 'T2', body: 'B2', format: 'plain' }, by, 't1');
const collectionCreated = (collectionId: string, visibility: 'public' | 'private', ownerId = 'author') =>
  event(`collection-${collectionId}`, 'CollectionCreated', { collectionId, tenantId: 't1', ownerId, name: 'C', visibility }, as(ownerId), 't1');
const inCollection = (collectionId: string, type: string, data: JsonObject, by: Actor = as('author')) =>
  event(`collection-${collectionId}`, type, { collectionId, ...data }, by, 't1');

beforeEach(() => {
  // The installation's upcasters, as the feed gets them: the ApiKeyIssued below is a version 1 one, without scopes.
  rights = new FeedRights({ upcasters: new Upcasters([...postUpcasters, ...tenantUpcasters]) });
  for (const recorded of [
    ...signUp('admin', 't1', ['admin', 'member']),
    ...signUp('author', 't1', ['member']),
    ...signUp('member', 't1', ['member']),
    ...signUp('outsider', 't1', ['member']),
    ...signUp('other', 't2', ['admin', 'member']),
    ...signUp('operator', 't0', ['operator']),
    event('tenant-t1', 'ApiKeyIssued', { keyId: 'key-1', name: 'k', displayPrefix: 'chk_ab', rateLimitPerMinute: 60, issuedBy: 'admin' }, as('admin'), 't1'),
  ]) {
    rights.apply(recorded);
  }
});

describe('feed rights: posts', () => {
  it('a public post reaches everyone; a private one its author, its tenant admins and operators', () => {
    expect(applied(postCreated('pub', 'public'))).toEqual(only('guest', 'admin', 'author', 'member', 'outsider', 'otherTenantAdmin', 'operator', 'apiKey'));
    expect(applied(postCreated('priv', 'private'))).toEqual(only('admin', 'author', 'operator'));
    expect(applied(postUpdated('priv'))).toEqual(only('admin', 'author', 'operator'));
  });

  it('a post made private at p stops reaching guests at p', () => {
    rights.apply(postCreated('p', 'public'));
    expect(applied(postUpdated('p')).guest).toBe(true);
    expect(applied(event('post-p', 'PostVisibilityChanged', { postId: 'p', visibility: 'private' }, as('author'), 't1'))).toEqual(only('admin', 'author', 'operator'));
    expect(applied(postUpdated('p')).guest).toBe(false);
  });

  it('a post added to a public collection becomes readable by guests from that event', () => {
    rights.apply(postCreated('p', 'private'));
    rights.apply(collectionCreated('c', 'public'));
    expect(applied(postUpdated('p')).guest).toBe(false);
    expect(applied(inCollection('c', 'PostAddedToCollection', { postId: 'p' }))).toEqual(only('guest', 'admin', 'author', 'member', 'outsider', 'otherTenantAdmin', 'operator', 'apiKey'));
    expect(applied(postUpdated('p'))).toEqual(only('guest', 'admin', 'author', 'member', 'outsider', 'otherTenantAdmin', 'operator', 'apiKey'));
    rights.apply(inCollection('c', 'PostRemovedFromCollection', { postId: 'p', reason: 'removed' }));
    expect(applied(postUpdated('p'))).toEqual(only('admin', 'author', 'operator'));
  });

  it('a post held by several collections is read through each until it leaves it', () => {
    rights.apply(postCreated('p', 'private'));
    rights.apply(collectionCreated('pub', 'public'));
    rights.apply(collectionCreated('team', 'private'));
    rights.apply(inCollection('team', 'CollectionMemberAdded', { userId: 'member', role: 'viewer' }));
    rights.apply(inCollection('pub', 'PostAddedToCollection', { postId: 'p' }));
    rights.apply(inCollection('team', 'PostAddedToCollection', { postId: 'p' }));
    expect(applied(postUpdated('p'))).toEqual(only('guest', 'admin', 'author', 'member', 'outsider', 'otherTenantAdmin', 'operator', 'apiKey'));
    rights.apply(inCollection('pub', 'PostRemovedFromCollection', { postId: 'p', reason: 'removed' }));
    expect(applied(postUpdated('p'))).toEqual(only('admin', 'author', 'member', 'operator'));
    rights.apply(inCollection('team', 'PostRemovedFromCollection', { postId: 'p', reason: 'removed' }));
    expect(applied(postUpdated('p'))).toEqual(only('admin', 'author', 'operator'));
  });

  it('a post deleted is seen deleted by those who could read it, through its collections too', () => {
    rights.apply(postCreated('p', 'private'));
    rights.apply(collectionCreated('c', 'private'));
    rights.apply(inCollection('c', 'CollectionMemberAdded', { userId: 'member', role: 'viewer' }));
    rights.apply(inCollection('c', 'PostAddedToCollection', { postId: 'p' }));
    expect(applied(event('post-p', 'PostDeleted', { postId: 'p' }, as('author'), 't1'))).toEqual(only('admin', 'author', 'member', 'operator'));
    expect(applied(inCollection('c', 'PostRemovedFromCollection', { postId: 'p', reason: 'post_deleted' }, SYSTEM))).toEqual(only('admin', 'author', 'member', 'operator'));

    rights.apply(postCreated('pub', 'public'));
    expect(applied(event('post-pub', 'PostDeleted', { postId: 'pub' }, as('author'), 't1')).guest).toBe(true);
  });

  it('reads an old PostCreated through the upcasters: version 1 had no visibility, so the post is private', () => {
    const v1 = event('post-old', 'PostCreated', { postId: 'old', tenantId: 't1', authorId: 'author', title: 'T', body: 'B' }, SYSTEM, 't1', 1);
    // Without upcasting the payload fails the current schema and the author (not an admin) would be refused.
    expect(applied(v1)).toEqual(only('admin', 'author', 'operator'));
    expect(applied(postUpdated('old', SYSTEM))).toEqual(only('admin', 'author', 'operator'));
    expect(rights.invalidEvents).toBe(0);
    const withoutUpcasters = new FeedRights();
    withoutUpcasters.apply(v1);
    expect(withoutUpcasters.invalidEvents).toBe(1);
  });
});

describe('feed rights: collections', () => {
  it('a member removed at p reads nothing from p on: not the removal, not the collection, not its posts', () => {
    rights.apply(collectionCreated('c', 'private'));
    rights.apply(postCreated('p', 'private'));
    rights.apply(inCollection('c', 'PostAddedToCollection', { postId: 'p' }));
    expect(applied(inCollection('c', 'CollectionMemberAdded', { userId: 'member', role: 'viewer' }))).toEqual(only('admin', 'author', 'member', 'operator'));
    expect(applied(postUpdated('p')).member).toBe(true);
    expect(applied(inCollection('c', 'CollectionMemberRemoved', { userId: 'member' }))).toEqual(only('admin', 'author', 'operator'));
    expect(applied(postUpdated('p')).member).toBe(false);
    expect(applied(inCollection('c', 'CollectionRenamed', { name: 'D' })).member).toBe(false);
  });

  it('a collection made private at p stops reaching guests at p, and its posts with it', () => {
    rights.apply(collectionCreated('c', 'public'));
    rights.apply(postCreated('p', 'private'));
    rights.apply(inCollection('c', 'PostAddedToCollection', { postId: 'p' }));
    expect(applied(inCollection('c', 'CollectionRenamed', { name: 'D' })).guest).toBe(true);
    expect(applied(inCollection('c', 'CollectionVisibilityChanged', { visibility: 'private' }))).toEqual(only('admin', 'author', 'operator'));
    expect(applied(postUpdated('p')).guest).toBe(false);
    expect(applied(inCollection('c', 'CollectionRenamed', { name: 'E' }))).toEqual(only('admin', 'author', 'operator'));
  });

  it('a collection deleted is seen deleted by its readers, and then no longer opens its posts', () => {
    rights.apply(collectionCreated('c', 'private'));
    rights.apply(postCreated('p', 'private'));
    rights.apply(inCollection('c', 'CollectionMemberAdded', { userId: 'member', role: 'editor' }));
    rights.apply(inCollection('c', 'PostAddedToCollection', { postId: 'p' }));
    expect(applied(inCollection('c', 'CollectionDeleted', {}))).toEqual(only('admin', 'author', 'member', 'operator'));
    expect(applied(postUpdated('p')).member).toBe(false);
  });

  it('a resume decides on the rights now: a removed member is not replayed what they could read then', () => {
    rights.apply(collectionCreated('c', 'private'));
    const added = inCollection('c', 'CollectionMemberAdded', { userId: 'member', role: 'viewer' });
    const renamed = inCollection('c', 'CollectionRenamed', { name: 'D' });
    expect(applied(added).member).toBe(true);
    expect(applied(renamed).member).toBe(true);
    rights.apply(inCollection('c', 'CollectionMemberRemoved', { userId: 'member' }));
    expect(readers(added).member).toBe(false);
    expect(readers(renamed)).toEqual(only('admin', 'author', 'operator'));
  });
});

describe('feed rights: users, tenants, keys', () => {
  it('a user reads their own stream and every event they caused; their tenant admins read their stream', () => {
    expect(applied(event('user-member', 'UserLoggedIn', { userId: 'member', method: 'password', sessionId: 's', provider: null }, as('member'), 't1'))).toEqual(
      only('admin', 'member', 'operator'),
    );
    expect(applied(event('user-member', 'UserRoleGranted', { userId: 'member', role: 'member' }, as('admin'), 't1'))).toEqual(only('admin', 'member', 'operator'));
    // Another stream: the member caused it, so they read it; its tenant's admins too.
    expect(applied(event('email-abc', 'EmailReserved', { email: 'member@example.com', userId: 'member' }, as('member'), 't1'))).toEqual(
      only('admin', 'member', 'operator'),
    );
    // A private post the member did not write, changed by the member as an editor of its collection: theirs too.
    rights.apply(postCreated('p', 'private'));
    expect(applied(postUpdated('p', as('member')))).toEqual(only('admin', 'author', 'member', 'operator'));
  });

  it('a tenant event reaches its admins; one of no tenant, operators only', () => {
    expect(applied(event('tenant-t1', 'TenantInvitationRevoked', { invitationId: 'i', revokedBy: 'admin' }, SYSTEM, 't1'))).toEqual(only('admin', 'operator'));
    expect(applied(event('installation-main', 'InstallationClaimed', { firstUserId: 'operator' }, SYSTEM, null))).toEqual(only('operator'));
  });

  it('a user disabled shows disabled in user() and reads nothing, their own events included, until enabled', () => {
    expect(rights.user('member')).toEqual({ tenantId: 't1', roles: ['member'], disabled: false });
    expect(applied(event('user-member', 'UserDisabled', { userId: 'member' }, as('admin'), 't1'))).toEqual(only('admin', 'operator'));
    expect(rights.user('member')).toEqual({ tenantId: 't1', roles: ['member'], disabled: true });
    rights.apply(postCreated('pub', 'public'));
    expect(readers(postUpdated('pub', as('member'))).member).toBe(false);
    rights.apply(event('user-member', 'UserEnabled', { userId: 'member' }, as('admin'), 't1'));
    expect(rights.user('member')?.disabled).toBe(false);
    expect(applied(postUpdated('pub')).member).toBe(true);
    expect(rights.user('nobody')).toBeUndefined();
  });

  it('roles are the log’s as of the event, whatever the token said', () => {
    rights.apply(postCreated('p', 'private'));
    expect(applied(event('user-member', 'UserRoleGranted', { userId: 'member', role: 'admin' }, as('admin'), 't1')).member).toBe(true);
    expect(applied(postUpdated('p')).member).toBe(true);
    rights.apply(event('user-member', 'UserRoleRevoked', { userId: 'member', role: 'admin' }, as('admin'), 't1'));
    expect(rights.user('member')?.roles).toEqual(['member']);
    expect(applied(postUpdated('p')).member).toBe(false);
    // A token that still claims admin does not make a member one.
    expect(rights.mayRead(user('member', 't1', ['admin']), postUpdated('p'))).toBe(false);
  });

  it('an API key reads what a guest reads and what it caused, and nothing once revoked or its issuer disabled', () => {
    rights.apply(postCreated('pub', 'public'));
    rights.apply(postCreated('priv', 'private'));
    expect(applied(postUpdated('pub')).apiKey).toBe(true);
    expect(applied(postUpdated('priv')).apiKey).toBe(false);
    expect(applied(event('analytics-x', 'SomethingIngested', {}, { type: 'apiKey', id: 'key-1' }, 't1')).apiKey).toBe(true);
    expect(applied(event('analytics-x', 'SomethingIngested', {}, { type: 'apiKey', id: 'key-2' }, 't1')).apiKey).toBe(false);
    expect(rights.apiKey('key-1')).toEqual({ tenantId: 't1', revoked: false });

    rights.apply(event('user-admin', 'UserDisabled', { userId: 'admin' }, as('operator'), 't1'));
    expect(rights.apiKey('key-1')).toEqual({ tenantId: 't1', revoked: true });
    expect(applied(postUpdated('pub')).apiKey).toBe(false);
    rights.apply(event('user-admin', 'UserEnabled', { userId: 'admin' }, as('operator'), 't1'));
    rights.apply(event('tenant-t1', 'ApiKeyRevoked', { keyId: 'key-1', revokedBy: 'admin' }, as('admin'), 't1'));
    expect(rights.apiKey('key-1')?.revoked).toBe(true);
    expect(applied(postUpdated('pub')).apiKey).toBe(false);
  });

  it('skips and counts an event of a known type whose payload fails its schema, and ignores unknown types', () => {
    expect(() => rights.apply(event('collection-bad', 'CollectionCreated', { collectionId: 'bad' }, SYSTEM, 't1'))).not.toThrow();
    rights.apply(event('collection-bad', 'SomethingNew', { anything: 1 }, SYSTEM, 't1'));
    expect(rights.invalidEvents).toBe(1);
    // Unknown to the model: read as any other event of its tenant.
    expect(readers(inCollection('bad', 'CollectionRenamed', { name: 'x' }, SYSTEM))).toEqual(only('admin', 'operator'));
  });
});
