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
import { errorResponses } from '../openapi.js';
import { requirePrincipal } from '../principal.js';
import { parseBody, parseRequestPart } from '../validate.js';
import type { RouteModule } from '../route-module.js';
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

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

/** /api/admin/projections: status, blue/green replays, retry and skip; operators only. */
export function adminProjectionsApi(deps: AdminProjectionsDependencies): RouteModule {
  return {
    name: 'admin-projections',
    register({ router, openapi }) {
      router.get('/api/admin/projections', async (_req, res) => {
        requireOperator(requirePrincipal(res));
        res.json(await getProjectionStatuses(deps));
      });

      router.post('/api/admin/projections/:name/replay', async (req, res) => {
        const operator = requireOperator(requirePrincipal(res));
        const { name } = parseRequestPart(projectionNameParams, req.params, 'path');
        const job = await startReplay(deps, name, `user:${operator.userId}`);
        res.status(202).location(`/api/admin/projections/${name}/replays/${job.jobId}`).json(job);
      });

      router.get('/api/admin/projections/:name/replays', async (req, res) => {
        requireOperator(requirePrincipal(res));
        const { name } = parseRequestPart(projectionNameParams, req.params, 'path');
        res.json({ items: await listReplays(deps, name) });
      });

      router.get('/api/admin/projections/:name/replays/:jobId', async (req, res) => {
        requireOperator(requirePrincipal(res));
        const { jobId } = parseRequestPart(replayJobParams, req.params, 'path');
        res.json(await getReplayProgress(deps, jobId));
      });

      router.post('/api/admin/projections/:name/retry', async (req, res) => {
        requireOperator(requirePrincipal(res));
        const { name } = parseRequestPart(projectionNameParams, req.params, 'path');
        await retryProjection(deps, name);
        res.status(202).json({ status: 'retrying' });
      });

      router.post('/api/admin/projections/:name/skip', async (req, res) => {
        const operator = requireOperator(requirePrincipal(res));
        const { name } = parseRequestPart(projectionNameParams, req.params, 'path');
        const body = parseBody(skipRequestSchema, req);
        const record = await skipEvent(deps, name, { position: BigInt(body.position), reason: body.reason, skippedBy: `user:${operator.userId}` });
        res.status(201).json(record);
      });

      router.get('/api/admin/projections/:name/skips', async (req, res) => {
        requireOperator(requirePrincipal(res));
        const { name } = parseRequestPart(projectionNameParams, req.params, 'path');
        res.json({ items: await listSkips(deps, name) });
      });

      const tags = ['admin'];
      const security = [{ bearerAuth: [] }];
      openapi.registerPath({
        method: 'get', path: '/api/admin/projections', tags, security,
        summary: 'Every projection: version, status, checkpoint, head, lag, events/s, last error',
        responses: { 200: json(z.array(projectionStatusSchema), 'The projections'), ...errorResponses(401, 403) },
      });
      openapi.registerPath({
        method: 'post', path: '/api/admin/projections/{name}/replay', tags, security,
        summary: 'Rebuild a projection from the start of the log beside the live one, then swap it in',
        request: { params: projectionNameParams },
        responses: { 202: json(replayProgressSchema, 'The replay job (the running one if a replay is already under way); Location points at its progress'), ...errorResponses(401, 403, 404) },
      });
      openapi.registerPath({
        method: 'get', path: '/api/admin/projections/{name}/replays', tags, security,
        summary: "The projection's recent replay jobs",
        request: { params: projectionNameParams },
        responses: { 200: json(z.object({ items: z.array(replayProgressSchema) }), 'Newest first'), ...errorResponses(401, 403, 404) },
      });
      openapi.registerPath({
        method: 'get', path: '/api/admin/projections/{name}/replays/{jobId}', tags, security,
        summary: "A replay job's progress: processed, total, percent, events/s, ETA",
        request: { params: replayJobParams },
        responses: { 200: json(replayProgressSchema, 'The job'), ...errorResponses(400, 401, 403, 404) },
      });
      openapi.registerPath({
        method: 'post', path: '/api/admin/projections/{name}/retry', tags, security,
        summary: 'Retry a failed projection from its checkpoint',
        request: { params: projectionNameParams },
        responses: { 202: json(z.object({ status: z.literal('retrying') }), 'Retrying'), ...errorResponses(401, 403, 404, 409) },
      });
      openapi.registerPath({
        method: 'post', path: '/api/admin/projections/{name}/skip', tags, security,
        summary: 'Skip the one event a failed projection stopped on, recording who and why',
        request: { params: projectionNameParams, body: { content: { 'application/json': { schema: skipRequestSchema } } } },
        responses: { 201: json(skipRecordSchema, 'The recorded skip'), ...errorResponses(401, 403, 404, 409, 422) },
      });
      openapi.registerPath({
        method: 'get', path: '/api/admin/projections/{name}/skips', tags, security,
        summary: 'Every skip recorded for the projection',
        request: { params: projectionNameParams },
        responses: { 200: json(z.object({ items: z.array(skipRecordSchema) }), 'The skips'), ...errorResponses(401, 403, 404) },
      });
    },
  };
}
