import { describe, expect, it } from '@jest/globals';
import {
  POST_BODY_MAX_BYTES,
  postCreatedSchema,
  postCreatedV1ToV2,
  postDecider,
  postIdOfStream,
  postStream,
  readsPostDirectly,
  utf8Length,
  type PostCommand,
  type PostEvent,
} from '../../domain/post/index.js';
import { GUEST, SYSTEM_CALLER, type Caller, type UserCaller } from '../../domain/shared/caller.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(postDecider);
const author: UserCaller = { type: 'user', userId: 'u-author', tenantId: 't-1', admin: false };
const admin: UserCaller = { type: 'user', userId: 'u-admin', tenantId: 't-1', admin: true };
const colleague: UserCaller = { type: 'user', userId: 'u-other', tenantId: 't-1', admin: false };
const foreignAdmin: UserCaller = { type: 'user', userId: 'u-foreign', tenantId: 't-2', admin: true };

const createData = { postId: 'p-1', tenantId: 't-1', authorId: 'u-author', title: 'Hello', body: 'World', format: 'markdown', visibility: 'private' } as const;
const created: PostEvent = { type: 'PostCreated', data: createData };
const create = (overrides: Partial<Extract<PostCommand, { type: 'CreatePost' }>['data']> = {}): PostCommand => ({
  type: 'CreatePost',
  by: author,
  data: { postId: 'p-1', title: 'Hello', body: 'World', format: 'markdown', visibility: 'private', ...overrides },
});
const update = (data: Extract<PostCommand, { type: 'UpdatePost' }>['data'], by: Caller = author): PostCommand => ({ type: 'UpdatePost', by, data });
const remove = (by: Caller): PostCommand => ({ type: 'DeletePost', by, data: {} });
const deleted: PostEvent = { type: 'PostDeleted', data: { postId: 'p-1' } };

describe('post decider', () => {
  it('creates a post once', () => {
    spec.given([]).when(create()).then([created]);
    spec.given([created]).when(create()).thenThrows(ConflictError, 'post_exists');
    spec.given([created, deleted]).when(create()).thenThrows(ConflictError, 'post_exists');
  });

  it('refuses titles outside 1 to 200 characters and bodies past 100 KB', () => {
    spec.given([]).when(create({ title: '' })).thenThrows(ValidationError, 'invalid_post');
    spec.given([]).when(create({ title: '   ' })).thenThrows(ValidationError, 'invalid_post');
    spec.given([]).when(create({ title: 'x'.repeat(201) })).thenThrows(ValidationError, 'invalid_post');
    spec.given([]).when(create({ body: 'x'.repeat(POST_BODY_MAX_BYTES + 1) })).thenThrows(ValidationError, 'invalid_post');
    // 200 characters of four UTF-8 bytes each count as 200, not 800 or 400 (UTF-16 units).
    spec.given([]).when(create({ title: '😀'.repeat(200) })).then([{ type: 'PostCreated', data: { ...createData, title: '😀'.repeat(200) } }]);
    spec.given([]).when(create({ body: 'x'.repeat(POST_BODY_MAX_BYTES) })).then([{ type: 'PostCreated', data: { ...createData, body: 'x'.repeat(POST_BODY_MAX_BYTES) } }]);
    // Bytes, not characters: 'é' is two bytes of UTF-8.
    spec.given([created]).when(update({ body: 'é'.repeat(POST_BODY_MAX_BYTES / 2 + 1) })).thenThrows(ValidationError, 'invalid_post');
  });

  it('names each invalid field in the details', () => {
    let thrown: unknown;
    try {
      postDecider.decide(create({ title: '', body: 'x'.repeat(POST_BODY_MAX_BYTES + 1) }), postDecider.initialState());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).details?.map((detail) => detail.path)).toEqual(['title', 'body']);
  });

  it('lets the author change the content, the format and the visibility, whole or in part', () => {
    spec.given([created]).when(update({ title: 'New', body: 'Text' })).then([
      { type: 'PostUpdated', data: { postId: 'p-1', title: 'New', body: 'Text', format: 'markdown' } },
    ]);
    spec.given([created]).when(update({ format: 'plain' })).then([
      { type: 'PostUpdated', data: { postId: 'p-1', title: 'Hello', body: 'World', format: 'plain' } },
    ]);
    spec.given([created]).when(update({ visibility: 'public' })).then([{ type: 'PostVisibilityChanged', data: { postId: 'p-1', visibility: 'public' } }]);
    spec.given([created]).when(update({ title: 'New', visibility: 'public' })).then([
      { type: 'PostUpdated', data: { postId: 'p-1', title: 'New', body: 'World', format: 'markdown' } },
      { type: 'PostVisibilityChanged', data: { postId: 'p-1', visibility: 'public' } },
    ]);
  });

  it('appends nothing when nothing changes', () => {
    spec.given([created]).when(update({ title: 'Hello', body: 'World', visibility: 'private' })).then([]);
    spec.given([created]).when(update({})).then([]);
  });

  it('lets an admin of the tenant change and delete, and nobody else', () => {
    spec.given([created]).when(update({ title: 'By admin' }, admin)).then([
      { type: 'PostUpdated', data: { postId: 'p-1', title: 'By admin', body: 'World', format: 'markdown' } },
    ]);
    spec.given([created]).when(update({ title: 'No' }, colleague)).thenThrows(ForbiddenError, 'not_post_author');
    spec.given([created]).when(update({ title: 'No' }, foreignAdmin)).thenThrows(ForbiddenError, 'not_post_author');
    // The same user id in another tenant is someone else.
    spec.given([created]).when(update({ title: 'No' }, { ...author, tenantId: 't-2' })).thenThrows(ForbiddenError, 'not_post_author');
    spec.given([created]).when(remove(admin)).then([deleted]);
    spec.given([created]).when(remove(colleague)).thenThrows(ForbiddenError, 'not_post_author');
    spec.given([created]).when(remove(GUEST)).thenThrows(ForbiddenError, 'not_post_author');
    spec.given([created]).when(remove(SYSTEM_CALLER)).then([deleted]);
  });

  it('makes the creating user the author, in their tenant', () => {
    spec.given([]).when({ ...create(), by: admin }).then([{ type: 'PostCreated', data: { ...createData, authorId: 'u-admin' } }]);
    spec.given([]).when({ ...create(), by: foreignAdmin }).then([{ type: 'PostCreated', data: { ...createData, authorId: 'u-foreign', tenantId: 't-2' } }]);
  });

  it('checks who asks before what they send', () => {
    spec.given([created]).when(update({ title: '' }, colleague)).thenThrows(ForbiddenError, 'not_post_author');
    spec.given([created]).when(update({ title: '' })).thenThrows(ValidationError, 'invalid_post');
  });

  it('deletes once; a deleted or missing post is not found', () => {
    spec.given([created]).when(remove(author)).then([deleted]);
    spec.given([created, deleted]).when(remove(author)).thenThrows(NotFoundError, 'post_not_found');
    spec.given([created, deleted]).when(update({ title: 'Again' })).thenThrows(NotFoundError, 'post_not_found');
    spec.given([]).when(update({ title: 'Nothing' })).thenThrows(NotFoundError, 'post_not_found');
    spec.given([]).when(remove(admin)).thenThrows(NotFoundError, 'post_not_found');
  });

  it('folds every event into the state', () => {
    spec
      .given([
        created,
        { type: 'PostUpdated', data: { postId: 'p-1', title: 'T', body: 'B', format: 'plain' } },
        { type: 'PostVisibilityChanged', data: { postId: 'p-1', visibility: 'public' } },
      ])
      .thenState({ status: 'Active', postId: 'p-1', tenantId: 't-1', authorId: 'u-author', title: 'T', body: 'B', format: 'plain', visibility: 'public' });
    spec.given([created, deleted]).thenState({ status: 'Deleted', postId: 'p-1', tenantId: 't-1', authorId: 'u-author' });
  });
});

describe('post access without collections', () => {
  it('is public to all, private to its author and the admins of its tenant', () => {
    const post = { tenantId: 't-1', authorId: 'u-author', visibility: 'private' } as const;
    expect([author, admin, colleague, foreignAdmin, GUEST].map((caller) => readsPostDirectly(post, caller))).toEqual([true, true, false, false, false]);
    expect([author, admin, colleague, foreignAdmin, GUEST].map((caller) => readsPostDirectly({ ...post, visibility: 'public' }, caller))).toEqual([
      true, true, true, true, true,
    ]);
  });
});

describe('PostCreated v1 → v2', () => {
  it('reads a version 1 payload as a plain, private post, keeping every field', () => {
    const v1 = { postId: 'p-1', tenantId: 't-1', authorId: 'u-1', title: 'Old', body: 'Text' };
    const upcast = postCreatedV1ToV2.upcast(v1);
    expect(upcast).toEqual({ ...v1, format: 'plain', visibility: 'private' });
    expect(postCreatedSchema.safeParse({ type: 'PostCreated', data: upcast }).success).toBe(true);
    expect(postCreatedSchema.safeParse({ type: 'PostCreated', data: v1 }).success).toBe(false);
  });
});

describe('post streams and sizes', () => {
  it('names streams post-<id> and reads the id back', () => {
    expect(postStream('abc')).toBe('post-abc');
    expect(postIdOfStream('post-abc')).toBe('abc');
    expect(postIdOfStream('post-')).toBeUndefined();
    expect(postIdOfStream('collection-abc')).toBeUndefined();
  });

  it('counts UTF-8 bytes as Buffer does', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀é€', '\ud800', '\udc00x', 'x\ud800']) {
      expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });
});
