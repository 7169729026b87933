import type { Knex } from 'knex';
import type { Request } from 'express';
import { callerOf } from '../content/caller.js';
import { collectionAccess } from '../../domain/collection/access.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import { COLLECTIONS, findCollection, listCollections, rowAccessFacts } from '../../projections/collections/collection-queries.js';
import type { Principal } from '../../auth/principal.js';
import type { Idempotency } from '../idempotency/idempotency.js';
import { etagResponseHeader, ifMatchHeaderSchema, ifMatchRevision, revisionETag } from '../if-match.js';
import { pageQuerySchema, pageRequest, pageSchema } from '../pagination.js';
import { minPositionHeaderSchema, type ReadYourWrites } from '../read-your-writes.js';
import { requestInfo } from '../request-info.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import {
  addMemberSchema,
  addPostSchema,
  collectionMemberParams,
  collectionParams,
  collectionPostParams,
  collectionResultSchema,
  collectionViewSchema,
  createCollectionSchema,
  deletedCollectionSchema,
  listCollectionsQuery,
  movePostSchema,
  updateCollectionSchema,
} from './collection-schemas.js';
import { viewOfRow, viewOfState } from './collection-views.js';
import { asOfQuerySchema } from '../time-travel/as-of-query.js';
import { historyPageSchema } from '../time-travel/history-schemas.js';
import type { CommandHandler } from '../../commands/command-handler.js';
import { collectionAsOf, collectionHistoryPage } from './collection-history.js';
import type { CollectionRequest, CollectionResult, CollectionWrites } from './collection-writes.js';

export interface CollectionsApiDeps {
  writes: CollectionWrites;
  /** For the history and `asOf` reads, folded from the log. */
  commands: CommandHandler;
  knex: Knex;
  readYourWrites: ReadYourWrites;
  idempotency: Idempotency;
}

const tags = ['collections'];
const listQuery = pageQuerySchema.extend(listCollectionsQuery.shape);
const resultResponse = { 200: { schema: collectionResultSchema, description: 'The collection now; ETag is its revision', headers: etagResponseHeader } };
const writeErrors = [403, 404, 409, 412, 503];

/**
 * Collections: CRUD, their posts (in the order added, reorderable) and their
 * members. Reads come from the `collections` read model (X-Min-Position
 * waits for a write); commands from the collection's stream, where the
 * decider applies the permission rules. A private collection the caller may
 * not read is 404, whatever they asked; a collection they may read but not
 * change is 403.
 */
export function collectionsApi({ writes, commands, knex, readYourWrites, idempotency }: CollectionsApiDeps): RouteModule {
  const target = (principal: Principal, collectionId: string, req: Request): CollectionRequest => ({
    principal,
    collectionId,
    ifMatch: ifMatchRevision(req),
    request: requestInfo(req),
  });
  const answer = (principal: Principal, result: CollectionResult) => {
    if (result.state.status !== 'Active') throw new NotFoundError('no such collection', { code: 'collection_not_found' });
    const view = viewOfState(result.state, result.revision, callerOf(principal));
    return {
      status: 200 as const,
      body: { ...view, position: result.position === undefined ? null : String(result.position) },
      headers: revisionETag(result.revision),
    };
  };

  return routeModule('collections', [
    defineRoute({
      method: 'post', path: '/api/collections', tags, auth: 'required',
      summary: 'Create a collection (owned by the caller, in their tenant)',
      request: { body: createCollectionSchema },
      responses: { 201: { schema: collectionResultSchema, description: 'The new collection; Location is its address, ETag its revision', headers: etagResponseHeader } },
      errors: [403, 503],
      idempotency,
      async handler({ principal, body, req }) {
        const result = await writes.create(principal, body, requestInfo(req));
        const { body: created, headers } = answer(principal, result);
        return { status: 201, body: created, headers: { ...headers, Location: `/api/collections/${created.id}` } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/collections', tags, auth: 'optional',
      summary: 'The collections the caller may read, newest first: public ones for guests, those of their tenant for users',
      request: { query: listQuery, headers: minPositionHeaderSchema },
      responses: { 200: { schema: pageSchema(collectionViewSchema, 'CollectionPage'), description: 'A page of collections' } },
      errors: [503, 504],
      async handler({ principal, query, req }) {
        await readYourWrites(req, [COLLECTIONS]);
        const caller = callerOf(principal);
        const page = await listCollections(knex, {
          caller,
          ...pageRequest(query),
          ...(query.visibility ? { visibility: query.visibility } : {}),
          ...(query.owner ? { ownerId: query.owner } : {}),
        });
        return { status: 200, body: { items: page.items.map((row) => viewOfRow(row, caller)), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/collections/:id', tags, auth: 'optional',
      summary: 'One collection (public ones without a token); with `asOf`, as it was then',
      description:
        'With `?asOf=<revision | ISO time>` the collection (name, visibility, posts, members) is folded from its event log up to that point, for whoever may read it now ' +
        '(a deleted collection: its owner and the admins of its tenant). The ETag is then the revision folded to.',
      request: { params: collectionParams, query: asOfQuerySchema, headers: minPositionHeaderSchema },
      responses: { 200: { schema: collectionViewSchema, description: 'The collection (as it was at `asOf`); ETag is its revision', headers: etagResponseHeader } },
      errors: [404, 410, 503, 504],
      async handler({ principal, params, query, req }) {
        await readYourWrites(req, [COLLECTIONS]);
        const caller = callerOf(principal);
        if (query.asOf !== undefined) {
          const past = await collectionAsOf(commands, caller, params.id, query.asOf);
          const view = { ...viewOfState(past.state, past.revision, caller), createdAt: past.createdAt.toISOString(), updatedAt: past.updatedAt.toISOString() };
          return { status: 200, body: view, headers: revisionETag(past.revision) };
        }
        const row = await findCollection(knex, params.id);
        if (!row || collectionAccess(rowAccessFacts(row), caller) === 'none') throw new NotFoundError('no such collection', { code: 'collection_not_found' });
        return { status: 200, body: viewOfRow(row, caller), headers: revisionETag(BigInt(row.revision)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/collections/:id/history', tags, auth: 'optional',
      summary: 'Every revision of a collection, oldest first: who, when, why when recorded, and what changed field by field',
      description:
        'For whoever may read the collection now; once it is deleted, its owner and the admins of its tenant (404 `collection_not_found` to anyone else). ' +
        'Outside its tenant, who made each change and the changes to its members are left out.',
      request: { params: collectionParams, query: pageQuerySchema },
      responses: { 200: { schema: historyPageSchema, description: 'A page of revisions' } },
      errors: [404, 503],
      async handler({ principal, params, query }) {
        return { status: 200, body: await collectionHistoryPage(commands, callerOf(principal), params.id, pageRequest(query)) };
      },
    }),
    defineRoute({
      method: 'put', path: '/api/collections/:id', tags, auth: 'required',
      summary: 'Rename and/or change the visibility of a collection (owner, admins)',
      request: { params: collectionParams, headers: ifMatchHeaderSchema, body: updateCollectionSchema },
      responses: resultResponse,
      errors: writeErrors,
      async handler({ principal, params, body, req }) {
        return answer(principal, await writes.update(target(principal, params.id, req), body));
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/collections/:id', tags, auth: 'required',
      summary: 'Delete a collection (owner, admins)',
      request: { params: collectionParams, headers: ifMatchHeaderSchema },
      responses: { 200: { schema: deletedCollectionSchema, description: 'Deleted; position for X-Min-Position' } },
      errors: writeErrors,
      async handler({ principal, params, req }) {
        const result = await writes.delete(target(principal, params.id, req));
        const position = result.position === undefined ? null : String(result.position);
        return { status: 200, body: { id: params.id, revision: String(result.revision), position, deleted: true as const } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/collections/:id/posts', tags, auth: 'required',
      summary: 'Add a post at the end (editors, owner, admins; the caller must be able to read the post)',
      request: { params: collectionParams, headers: ifMatchHeaderSchema, body: addPostSchema },
      responses: resultResponse,
      errors: [...writeErrors, 422],
      idempotency,
      async handler({ principal, params, body, req }) {
        return answer(principal, await writes.addPost(target(principal, params.id, req), body.postId));
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/collections/:id/posts/:postId', tags, auth: 'required',
      summary: 'Take a post out (editors, owner, admins)',
      request: { params: collectionPostParams, headers: ifMatchHeaderSchema },
      responses: resultResponse,
      errors: writeErrors,
      async handler({ principal, params, req }) {
        return answer(principal, await writes.removePost(target(principal, params.id, req), params.postId));
      },
    }),
    defineRoute({
      method: 'put', path: '/api/collections/:id/posts/:postId', tags, auth: 'required',
      summary: 'Move a post to an index (editors, owner, admins)',
      request: { params: collectionPostParams, headers: ifMatchHeaderSchema, body: movePostSchema },
      responses: resultResponse,
      errors: writeErrors,
      async handler({ principal, params, body, req }) {
        return answer(principal, await writes.movePost(target(principal, params.id, req), params.postId, body.index));
      },
    }),
    defineRoute({
      method: 'post', path: '/api/collections/:id/members', tags, auth: 'required',
      summary: 'Share with a user of the tenant as editor or viewer, or change their role (owner, admins)',
      request: { params: collectionParams, headers: ifMatchHeaderSchema, body: addMemberSchema },
      responses: resultResponse,
      errors: writeErrors,
      idempotency,
      async handler({ principal, params, body, req }) {
        return answer(principal, await writes.addMember(target(principal, params.id, req), body.userId, body.role));
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/collections/:id/members/:userId', tags, auth: 'required',
      summary: 'Remove a member (owner, admins; a member may remove themselves)',
      request: { params: collectionMemberParams, headers: ifMatchHeaderSchema },
      responses: resultResponse,
      errors: writeErrors,
      async handler({ principal, params, req }) {
        return answer(principal, await writes.removeMember(target(principal, params.id, req), params.userId));
      },
    }),
  ]);
}
