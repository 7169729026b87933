import { postNotFound } from '../../domain/post/index.js';
import { findReadablePost, listReadablePosts } from '../../projections/posts/post-queries.js';
import { COLLECTIONS } from '../../projections/collections/collections-read-model.js';
import { POSTS_PROJECTION } from '../../projections/posts/posts-read-model.js';
import { callerOf, requireUserCaller } from '../content/caller.js';
import type { Idempotency } from '../idempotency/idempotency.js';
import { etagResponseHeader, ifMatchHeaderSchema, parseIfMatch, revisionETag } from '../if-match.js';
import { pageQuerySchema, pageRequest, pageSchema } from '../pagination.js';
import { minPositionHeaderSchema, type ReadYourWrites } from '../read-your-writes.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { runPostCommand, type PostCommandDeps } from './post-commands.js';
import {
  createPostRequestSchema,
  postCommandAnswerSchema,
  postDeletedAnswerSchema,
  postListQuerySchema,
  postParamsSchema,
  postViewSchema,
  updatePostRequestSchema,
} from './post-schemas.js';
import { postCommandAnswer, postView, postViewAsOf } from './post-views.js';
import { postAsOf, postHistoryPage } from './post-history.js';
import { asOfQuerySchema } from '../time-travel/as-of-query.js';
import { historyPageSchema } from '../time-travel/history-schemas.js';

export interface PostsApiDeps extends PostCommandDeps {
  readYourWrites: ReadYourWrites;
  /** Idempotency-Key on POST. */
  idempotency: Idempotency;
}

/** The read models a post query depends on (who may read a post depends on collections): X-Min-Position waits for each. */
const POST_READ_MODELS = [POSTS_PROJECTION, COLLECTIONS];
const tags = ['content'];

export function postsApi(deps: PostsApiDeps): RouteModule {
  return routeModule('posts', [
    defineRoute({
      method: 'post', path: '/api/posts', tags, auth: 'required',
      summary: 'Write a post: you are its author, your tenant its tenant',
      request: { body: createPostRequestSchema },
      responses: { 201: { schema: postCommandAnswerSchema, description: 'The post, its revision and the position of the change', headers: etagResponseHeader } },
      errors: [403],
      idempotency: deps.idempotency,
      async handler({ body, principal, req }) {
        const caller = requireUserCaller(principal);
        const postId = deps.runtime.newId();
        const outcome = await runPostCommand(deps, req, caller, postId, { type: 'CreatePost', by: caller, data: { postId, ...body } }, undefined);
        if (!outcome.post) throw postNotFound();
        return {
          status: 201,
          headers: { ...revisionETag(outcome.revision), Location: `/api/posts/${postId}` },
          body: postCommandAnswer(outcome.post, outcome.revision, outcome.position),
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/posts', tags, auth: 'optional',
      summary: 'The posts you may read, newest first: by author, collection or visibility, or searched, a page at a time',
      request: { query: postListQuerySchema.extend(pageQuerySchema.shape), headers: minPositionHeaderSchema },
      responses: { 200: { schema: pageSchema(postViewSchema, 'PostPage'), description: 'A page of posts' } },
      errors: [503, 504],
      async handler({ query, principal, req }) {
        await deps.readYourWrites(req, POST_READ_MODELS);
        const { author, collection, visibility, q } = query;
        const page = await listReadablePosts(
          deps.reads,
          callerOf(principal),
          {
            ...(author === undefined ? {} : { authorId: author }),
            ...(collection === undefined ? {} : { collectionId: collection }),
            ...(visibility === undefined ? {} : { visibility }),
            ...(q === undefined ? {} : { q }),
          },
          pageRequest(query),
        );
        return { status: 200, body: { items: page.items.map(postView), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/posts/:id', tags, auth: 'optional',
      summary: 'One post, if you may read it (404 otherwise, whether it exists or not); with `asOf`, as it was then',
      description:
        'With `?asOf=<revision | ISO time>` the post is folded from its event log up to that point (upcasters applied), for whoever may read it now ' +
        '(a deleted post: its author and the admins of its tenant). The ETag is then the revision folded to, so a PUT with it as If-Match succeeds only if that is still the latest.',
      request: { params: postParamsSchema, query: asOfQuerySchema, headers: minPositionHeaderSchema },
      responses: { 200: { schema: postViewSchema, description: 'The post (as it was at `asOf`); ETag is its revision', headers: etagResponseHeader } },
      errors: [404, 410, 503, 504],
      async handler({ params, query, principal, req }) {
        await deps.readYourWrites(req, POST_READ_MODELS);
        const caller = callerOf(principal);
        if (query.asOf !== undefined) {
          const past = await postAsOf(deps, caller, params.id, query.asOf);
          return { status: 200, headers: revisionETag(past.revision), body: postViewAsOf(past) };
        }
        const row = await findReadablePost(deps.reads, caller, params.id);
        if (!row) throw postNotFound();
        return { status: 200, headers: revisionETag(BigInt(row.revision)), body: postView(row) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/posts/:id/history', tags, auth: 'optional',
      summary: 'Every revision of a post, oldest first: who, when, why when recorded, and what changed field by field',
      description: 'For whoever may read the post now; once it is deleted, its author and the admins of its tenant (404 `post_not_found` to anyone else).',
      request: { params: postParamsSchema, query: pageQuerySchema, headers: minPositionHeaderSchema },
      responses: { 200: { schema: historyPageSchema, description: 'A page of revisions' } },
      errors: [404, 503, 504],
      async handler({ params, query, principal, req }) {
        // Who may read a post depends on the collections holding it: a read model.
        await deps.readYourWrites(req, POST_READ_MODELS);
        return { status: 200, body: await postHistoryPage(deps, callerOf(principal), params.id, pageRequest(query)) };
      },
    }),
    defineRoute({
      method: 'put', path: '/api/posts/:id', tags, auth: 'required',
      summary: 'Replace a post’s title and body, and change its format or visibility (its author, or an admin of its tenant)',
      request: { params: postParamsSchema, headers: ifMatchHeaderSchema, body: updatePostRequestSchema },
      responses: { 200: { schema: postCommandAnswerSchema, description: 'The post as changed', headers: etagResponseHeader } },
      errors: [403, 404, 412],
      async handler({ params, headers, body, principal, req }) {
        const caller = requireUserCaller(principal);
        const outcome = await runPostCommand(deps, req, caller, params.id, { type: 'UpdatePost', by: caller, data: body }, parseIfMatch(headers['if-match']));
        if (!outcome.post) throw postNotFound();
        return { status: 200, headers: revisionETag(outcome.revision), body: postCommandAnswer(outcome.post, outcome.revision, outcome.position) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/posts/:id', tags, auth: 'required',
      summary: 'Delete a post (its author, or an admin of its tenant); the collections holding it drop it',
      request: { params: postParamsSchema, headers: ifMatchHeaderSchema },
      responses: { 200: { schema: postDeletedAnswerSchema, description: 'Deleted: the revision and position of the deletion' } },
      errors: [403, 404, 412],
      async handler({ params, headers, principal, req }) {
        const caller = requireUserCaller(principal);
        const outcome = await runPostCommand(deps, req, caller, params.id, { type: 'DeletePost', by: caller, data: {} }, parseIfMatch(headers['if-match']));
        return {
          status: 200,
          body: { id: params.id, revision: String(outcome.revision), position: outcome.position === undefined ? null : String(outcome.position), deleted: true as const },
        };
      },
    }),
  ]);
}
