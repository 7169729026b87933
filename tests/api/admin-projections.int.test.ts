import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineRoute } from '../../api/route.js';
import { routeModule, type RouteModule } from '../../api/route-module.js';
import { readYourWrites } from '../../api/read-your-writes.js';
import { CheckpointWaiter } from '../../projections/index.js';
import { createLogger } from '../../infra/logging/logger.js';
import { GENEROUS_LIMITS_ENV, HttpClient, expectError, expectJson, type AuthAnswer } from '../support/auth-http.js';
import { newEvents } from '../support/events.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Status {
  name: string;
  status: string;
  checkpoint: string | null;
  headPosition: string | null;
  lag: number;
}

interface Job {
  jobId: string;
  state: string;
  processed: string;
  total: string | null;
  percent: number | null;
  generation: number;
}

/** Operators drive projections over HTTP; query routes wait for them with X-Min-Position. */
describe('/api/admin/projections and read-your-writes', () => {
  let app: TestApp;
  let http: HttpClient;
  let operator: AuthAnswer;
  let member: AuthAnswer;
  let waiter: CheckpointWaiter;

  // A query route as features write them: wait for the read model, then read it.
  const summaryRoute = (): RouteModule => ({
    name: 'test-stream-summary',
    register({ router }) {
      router.get('/test/stream-summary/:stream', async (req, res) => {
        await readYourWrites(waiter, 300)(req, ['stream_summary']);
        const row = await app.services.knex('stream_summary').where({ stream: req.params.stream }).first();
        res.json({ eventCount: row ? Number(row.event_count) : 0 });
      });
    },
  });

  // The same, declared once: defineRoute waits before the handler and documents the header.
  const declaredSummaryRoute = (): RouteModule =>
    routeModule('test-declared-summary', [
      defineRoute({
        method: 'get',
        path: '/test/declared-summary/:stream',
        tags: ['test'],
        summary: 'Events in a stream, from the stream_summary read model',
        auth: 'optional',
        readYourWrites: { wait: (req, names) => readYourWrites(waiter, 300)(req, names), readModels: ['stream_summary'] },
        request: { params: z.object({ stream: z.string() }) },
        responses: { 200: { description: 'The count', schema: z.object({ eventCount: z.number() }) } },
        async handler({ params }) {
          const row = await app.services.knex('stream_summary').where({ stream: params.stream }).first();
          return { status: 200, body: { eventCount: row ? Number(row.event_count) : 0 } };
        },
      }),
    ]);

  beforeAll(async () => {
    app = await startTestApp({ role: 'start', env: GENEROUS_LIMITS_ENV, routeModules: [summaryRoute(), declaredSummaryRoute()] });
    waiter = new CheckpointWaiter({
      knex: app.services.knex,
      connectionString: app.services.databaseUrl,
      projectionNames: ['stream_summary'],
      logger: createLogger('silent'),
    });
    await waiter.start();
    http = new HttpClient(app.url);
    operator = await http.signup();
    member = await http.signup();
  });
  afterAll(async () => {
    await waiter.stop();
    await app.stop();
  });

  it('answers a query only once the read model has processed the position it names', async () => {
    const stream = `item-${randomUUID()}`;
    const { position } = await app.services.eventStore.appendToStream(stream, newEvents(7, 'ItemChanged'));
    const response = await http.get(`/test/stream-summary/${stream}`, { headers: { 'X-Min-Position': String(position) } });
    expect(await expectJson<{ eventCount: number }>(response, 200)).toEqual({ eventCount: 7 });
  });

  it('answers 504 when the read model does not get there in time, 400 for a malformed position', async () => {
    const far = String(((await app.services.eventStore.headPosition()) ?? 0n) + (1n << 60n));
    await expectError(await http.get('/test/stream-summary/x', { headers: { 'X-Min-Position': far } }), 504, 'read_model_timeout');
    await expectError(await http.get('/test/stream-summary/x', { headers: { 'X-Min-Position': 'yesterday' } }), 400, 'invalid_position');
  });

  it('does the same for a route declared with readYourWrites, and documents the header with its 400 and 504', async () => {
    const stream = `post-${randomUUID()}`;
    const { position } = await app.services.eventStore.appendToStream(stream, newEvents(3, 'PostCreated'));
    const response = await http.get(`/test/declared-summary/${stream}`, { headers: { 'X-Min-Position': String(position) } });
    expect(await expectJson<{ eventCount: number }>(response, 200)).toEqual({ eventCount: 3 });
    const far = String(((await app.services.eventStore.headPosition()) ?? 0n) + (1n << 60n));
    await expectError(await http.get('/test/declared-summary/x', { headers: { 'X-Min-Position': far } }), 504, 'read_model_timeout');
    await expectError(await http.get('/test/declared-summary/x', { headers: { 'X-Min-Position': 'yesterday' } }), 400, 'invalid_position');
    type Operation = { parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> };
    const document = await expectJson<{ paths: Record<string, Record<string, Operation>> }>(await http.get('/openapi.json'), 200);
    const operation = document.paths['/test/declared-summary/{stream}']?.['get'];
    expect(operation?.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'x-min-position', in: 'header' })]));
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '504']));
  });

  it('lets only operators see and drive projections', async () => {
    await expectError(await http.get('/api/admin/projections'), 401, 'unauthenticated');
    await expectError(await http.get('/api/admin/projections', { bearer: member.accessToken }), 403, 'operator_required');
    const statuses = await expectJson<Status[]>(await http.get('/api/admin/projections', { bearer: operator.accessToken }), 200);
    expect(statuses.map((status) => status.name)).toContain('stream_summary');
    await expectError(await http.post('/api/admin/projections/nope/replay', {}, { bearer: operator.accessToken }), 404, 'unknown_projection');
    await expectError(await http.post('/api/admin/projections/stream_summary/replay', {}, { bearer: member.accessToken }), 403, 'operator_required');
  });

  it('replays a projection blue/green, with readable progress, to the same rows', async () => {
    for (let i = 0; i < 5; i++) await app.services.eventStore.appendToStream(`item-replay-${i}`, newEvents(40, 'ItemChanged'));
    const head = await app.services.eventStore.headPosition();
    await waiter.waitForPosition(['stream_summary'], head!, 10_000);
    const before = await app.services.knex('stream_summary').orderBy('stream').select('stream', 'event_count', 'last_position');

    const started = await http.post('/api/admin/projections/stream_summary/replay', {}, { bearer: operator.accessToken });
    const job = await expectJson<Job>(started, 202);
    const location = started.headers.get('location');
    expect(location).toBe(`/api/admin/projections/stream_summary/replays/${job.jobId}`);

    let progress = job;
    for (let polls = 0; progress.state !== 'completed' && polls < 200; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      progress = await expectJson<Job>(await http.get(location!, { bearer: operator.accessToken }), 200);
      expect(progress.state).not.toBe('failed');
    }
    expect(progress).toMatchObject({ state: 'completed', percent: 100 });
    expect(BigInt(progress.processed)).toBeGreaterThanOrEqual(200n);

    const after = await app.services.knex('stream_summary').orderBy('stream').select('stream', 'event_count', 'last_position');
    expect(after).toEqual(before);
    const statuses = await expectJson<Status[]>(await http.get('/api/admin/projections', { bearer: operator.accessToken }), 200);
    expect(statuses.find((status) => status.name === 'stream_summary')).toMatchObject({ lag: 0 });
  });

  it('refuses a retry of a projection that has not failed, and a malformed skip', async () => {
    await expectError(await http.post('/api/admin/projections/stream_summary/retry', {}, { bearer: operator.accessToken }), 409, 'projection_not_failed');
    await expectError(
      await http.post('/api/admin/projections/stream_summary/skip', { position: 'abc', reason: 'x' }, { bearer: operator.accessToken }),
      422,
      'validation_failed',
    );
  });
});
