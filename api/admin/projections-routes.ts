import type { Knex } from 'knex';
import { z } from 'zod';
import { requireOperator } from '../../auth/policies.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import {
  getProjectionStatuses,
  getReplayProgress,
  listReplays,
  listSkips,
  retryProjection,
  skipEvent,
  startReplay,
  type AnyProjection,
  type LogCounter,
} from '../../projections/index.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import {
  projectionNameParams,
  projectionStatusSchema,
  replayJobParams,
  replayProgressSchema,
  skipRecordSchema,
  skipRequestSchema,
} from './projection-schemas.js';

export interface AdminProjectionsDependencies {
  knex: Knex;
  eventStore: EventStore;
  projections: readonly AnyProjection[];
  counter: LogCounter;
}

const tags = ['admin'];

/** /api/admin/projections: status, blue/green replays, retry and skip; operators only. */
export function adminProjectionsApi(deps: AdminProjectionsDependencies): RouteModule {
  return routeModule('admin-projections', [
    defineRoute({
      method: 'get', path: '/api/admin/projections', tags, auth: 'required',
      summary: 'Every projection: version, status, checkpoint, head, lag, events/s, last error',
      responses: { 200: { schema: z.array(projectionStatusSchema), description: 'The projections' } },
      errors: [403],
      async handler({ principal }) {
        requireOperator(principal);
        return { status: 200, body: await getProjectionStatuses(deps) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/admin/projections/:name/replay', tags, auth: 'required',
      summary: 'Rebuild a projection from the start of the log beside the live one, then swap it in',
      request: { params: projectionNameParams },
      responses: { 202: { schema: replayProgressSchema, description: 'The replay job (the running one if a replay is already under way); Location points at its progress' } },
      errors: [403, 404],
      async handler({ principal, params }) {
        const operator = requireOperator(principal);
        const job = await startReplay(deps, params.name, `user:${operator.userId}`);
        return { status: 202, body: job, headers: { Location: `/api/admin/projections/${params.name}/replays/${job.jobId}` } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/admin/projections/:name/replays', tags, auth: 'required',
      summary: "The projection's recent replay jobs",
      request: { params: projectionNameParams },
      responses: { 200: { schema: z.object({ items: z.array(replayProgressSchema) }), description: 'Newest first' } },
      errors: [403, 404],
      async handler({ principal, params }) {
        requireOperator(principal);
        return { status: 200, body: { items: await listReplays(deps, params.name) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/admin/projections/:name/replays/:jobId', tags, auth: 'required',
      summary: "A replay job's progress: processed, total, percent, events/s, ETA",
      request: { params: replayJobParams },
      responses: { 200: { schema: replayProgressSchema, description: 'The job' } },
      errors: [403, 404],
      async handler({ principal, params }) {
        requireOperator(principal);
        return { status: 200, body: await getReplayProgress(deps, params.jobId) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/admin/projections/:name/retry', tags, auth: 'required',
      summary: 'Retry a failed projection from its checkpoint',
      request: { params: projectionNameParams },
      responses: { 202: { schema: z.object({ status: z.literal('retrying') }), description: 'Retrying' } },
      errors: [403, 404, 409],
      async handler({ principal, params }) {
        requireOperator(principal);
        await retryProjection(deps, params.name);
        return { status: 202, body: { status: 'retrying' as const } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/admin/projections/:name/skip', tags, auth: 'required',
      summary: 'Skip the one event a failed projection stopped on, recording who and why',
      request: { params: projectionNameParams, body: skipRequestSchema },
      responses: { 201: { schema: skipRecordSchema, description: 'The recorded skip' } },
      errors: [403, 404, 409],
      async handler({ principal, params, body }) {
        const operator = requireOperator(principal);
        const record = await skipEvent(deps, params.name, { position: BigInt(body.position), reason: body.reason, skippedBy: `user:${operator.userId}` });
        return { status: 201, body: record };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/admin/projections/:name/skips', tags, auth: 'required',
      summary: 'Every skip recorded for the projection',
      request: { params: projectionNameParams },
      responses: { 200: { schema: z.object({ items: z.array(skipRecordSchema) }), description: 'The skips' } },
      errors: [403, 404],
      async handler({ principal, params }) {
        requireOperator(principal);
        return { status: 200, body: { items: await listSkips(deps, params.name) } };
      },
    }),
  ]);
}
