import { z } from 'zod';
import { postNotFound } from '../../domain/post/index.js';
import { findReadablePost, listReadablePosts } from '../../projections/posts/post-queries.js';
import { POSTS_PROJECTION } from '../../projections/posts/posts-read-model.js';
import { json, jsonBody } from '../auth/auth-views.js';
import { callerOf, requireUserCaller } from '../content/caller.js';
import { ifMatchRevision, setRevisionETag } from '../if-match.js';
import { errorResponses } from '../openapi.js';
import { principalOf, requirePrincipal } from '../principal.js';
import { minPositionHeaderSchema, type ReadYourWrites } from '../read-your-writes.js';
import type { RouteModule } from '../route-module.js';
import { parseBody, parseRequestPart } from '../validate.js';
import { runPostCommand, type PostCommandDeps } from './post-commands.js';
import { pageQuerySchema, pageRequest } from '../pagination.js';
import {
  createPostRequestSchema,
  postCommandAnswerSchema,
  postDeletedAnswerSchema,
  postListQuerySchema,
  postParamsSchema,
  postViewSchema,
  updatePostRequestSchema,
} from './post-schemas.js';
import { postCommandAnswer, postView } from './post-views.js';

export interface PostsApiDeps extends PostCommandDeps {
  readYourWrites: ReadYourWrites;
}

/** The read models a post query depends on (X-Min-Position waits for each). */
const POST_READ_MODELS = [POSTS_PROJECTION];

export function postsApi(deps: PostsApiDeps): RouteModule {
  return {
    name: 'posts',
    register({ router, openapi }) {
      router.post('/api/posts', async (req, res) => {
        const caller = requireUserCaller(requirePrincipal(res));
        const body = parseBody(createPostRequestSchema, req);
        const postId = deps.runtime.newId();
        const outcome = await runPostCommand(deps, req, caller, postId, { type: 'CreatePost', by: caller, data: { postId, ...body } }, undefined);
        if (!outcome.post) throw postNotFound();
        setRevisionETag(res, outcome.revision);
        res.status(201).location(`/api/posts/${postId}`).json(postCommandAnswer(outcome.post, outcome.revision, outcome.position));
      });

      router.get('/api/posts', async (req, res) => {
        const query = parseRequestPart(postListQuerySchema.extend(pageQuerySchema.shape), req.query, 'query');
        await deps.readYourWrites(req, POST_READ_MODELS);
        const page = await listReadablePosts(deps.reads, callerOf(principalOf(res)), {
          ...(query.author === undefined ? {} : { authorId: query.author }),
          ...(query.collection === undefined ? {} : { collectionId: query.collection }),
          ...(query.visibility === undefined ? {} : { visibility: query.visibility }),
          ...(query.q === undefined ? {} : { q: query.q }),
        }, pageRequest(query));
        res.json({ items: page.items.map(postView), nextCursor: page.nextCursor });
      });

      router.get('/api/posts/:id', async (req, res) => {
        const { id } = parseRequestPart(postParamsSchema, req.params, 'path');
        await deps.readYourWrites(req, POST_READ_MODELS);
        const row = await findReadablePost(deps.reads, callerOf(principalOf(res)), id);
        if (!row) throw postNotFound();
        setRevisionETag(res, BigInt(row.revision));
        res.json(postView(row));
      });

      router.put('/api/posts/:id', async (req, res) => {
        const caller = requireUserCaller(requirePrincipal(res));
        const { id } = parseRequestPart(postParamsSchema, req.params, 'path');
        const ifMatch = ifMatchRevision(req);
        const body = parseBody(updatePostRequestSchema, req);
        const outcome = await runPostCommand(deps, req, caller, id, { type: 'UpdatePost', by: caller, data: body }, ifMatch);
        if (!outcome.post) throw postNotFound();
        setRevisionETag(res, outcome.revision);
        res.json(postCommandAnswer(outcome.post, outcome.revision, outcome.position));
      });

      router.delete('/api/posts/:id', async (req, res) => {
        const caller = requireUserCaller(requirePrincipal(res));
        const { id } = parseRequestPart(postParamsSchema, req.params, 'path');
        const outcome = await runPostCommand(deps, req, caller, id, { type: 'DeletePost', by: caller, data: {} }, ifMatchRevision(req));
        res.json({ id, revision: String(outcome.revision), position: outcome.position === undefined ? null : String(outcome.position), deleted: true });
      });

      const tags = ['content'];
      const security = [{ bearerAuth: [] }];
      const optionalSecurity: Array<Record<string, string[]>> = [{}, { bearerAuth: [] }];
      const ifMatchHeader = z.object({ 'if-match': z.string().optional().meta({ description: 'The ETag last read, e.g. "3": 412 when the post has changed since' }) });
      openapi.registerPath({
        method: 'post', path: '/api/posts', tags, security,
        summary: 'Write a post (its author is you, its tenant yours)',
        request: jsonBody(createPostRequestSchema),
        responses: { 201: json(postCommandAnswerSchema, 'The post; ETag is its revision'), ...errorResponses(400, 401, 403, 413, 415, 422) },
      });
      openapi.registerPath({
        method: 'get', path: '/api/posts', tags, security: optionalSecurity,
        summary: 'The posts you may read, newest first, filtered and searched, a page at a time',
        request: { query: postListQuerySchema.extend(pageQuerySchema.shape), headers: minPositionHeaderSchema },
        responses: {
          200: json(z.object({ items: z.array(postViewSchema), nextCursor: z.string().nullable() }).meta({ id: 'PostPage' }), 'A page of posts'),
          ...errorResponses(400, 401, 503, 504),
        },
      });
      openapi.registerPath({
        method: 'get', path: '/api/posts/{id}', tags, security: optionalSecurity,
        summary: 'One post, if you may read it (404 otherwise, whether or not it exists)',
        request: { params: postParamsSchema, headers: minPositionHeaderSchema },
        responses: { 200: json(postViewSchema, 'The post; ETag is its revision'), ...errorResponses(400, 401, 404, 503, 504) },
      });
      openapi.registerPath({
        method: 'put', path: '/api/posts/{id}', tags, security,
        summary: 'Replace a post’s title and body, and change its format or visibility (its author, or an admin of its tenant)',
        request: { params: postParamsSchema, headers: ifMatchHeader, ...jsonBody(updatePostRequestSchema) },
        responses: { 200: json(postCommandAnswerSchema, 'The post; ETag is its revision'), ...errorResponses(400, 401, 403, 404, 412, 413, 415, 422) },
      });
      openapi.registerPath({
        method: 'delete', path: '/api/posts/{id}', tags, security,
        summary: 'Delete a post (its author, or an admin of its tenant); collections drop it',
        request: { params: postParamsSchema, headers: ifMatchHeader },
        responses: { 200: json(postDeletedAnswerSchema, 'Deleted'), ...errorResponses(400, 401, 403, 404, 412) },
      });
    },
  };
}
