import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Forbidden, TooManyRequests, ValidationError } from '../../api/errors.js';
import type { RouteModule } from '../../api/route-module.js';
import { WrongExpectedRevisionError, EventStoreUnavailableError } from '../../infra/event-store/errors.js';
import { parsePosition } from '../../infra/event-store/event-store.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Routes that fail in each way the error middleware must translate. */
const failingRoutes: RouteModule = {
  name: 'test-failures',
  register({ router }) {
    router.post('/test/echo', (req, res) => {
      res.json({ received: req.body as unknown });
    });
    router.get('/test/conflict', () => {
      throw new WrongExpectedRevisionError('post-1', 3n, 5n);
    });
    router.get('/test/store-down', async () => {
      throw new EventStoreUnavailableError('connection refused');
    });
    router.get('/test/rate-limited', () => {
      throw new TooManyRequests(7.2);
    });
    router.get('/test/forbidden', () => {
      throw new Forbidden('only the author may edit', { code: 'not_author' });
    });
    router.get('/test/bad-position', () => {
      parsePosition('yesterday');
    });
    router.post('/test/zod', (req, res) => {
      res.json(z.object({ title: z.string().min(1) }).parse(req.body));
    });
    router.get('/test/invalid-query', () => {
      throw new ValidationError('limit must be at most 100', { status: 400, details: [{ path: 'limit' }] });
    });
    // The app's own event store, configured with MAX_EVENT_BYTES=2048 below.
    router.post('/test/append', async (req, res) => {
      const { stream, id, times } = req.query as Record<string, string>;
      res.json(String((await app.services.eventStore.appendToStream(stream!, [{ id: id!, type: 'Thing', data: { text: 'x'.repeat(Number(times)) }, metadata: {} }])).nextRevision));
    });
    router.get('/test/read', async (req, res) => {
      res.json((await app.services.eventStore.readStream(String(req.query['stream']))).length);
    });
    router.get('/test/bug', () => {
      throw new Error('secret internals at /srv/app.ts:42');
    });
  },
};

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ env: { BODY_LIMIT: '1kb', MAX_EVENT_BYTES: '2048' }, routeModules: [failingRoutes] });
});

afterAll(async () => {
  await app?.stop();
});

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('x-request-id')).toBeTruthy();
  const body = (await response.json()) as { error: { code: string; message: string; details?: unknown[] } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  return body.error;
}

function post(path: string, body: string) {
  return fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}

describe('the JSON error format', () => {
  it('answers malformed JSON with 400 malformed_json', async () => {
    await expectError(await post('/test/echo', '{"title": '), 400, 'malformed_json');
  });

  it('answers a body over BODY_LIMIT with 413 payload_too_large', async () => {
    await expectError(await post('/test/echo', JSON.stringify({ text: 'x'.repeat(2048) })), 413, 'payload_too_large');
  });

  it('accepts a body under the limit', async () => {
    const response = await post('/test/echo', JSON.stringify({ text: 'hello' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: { text: 'hello' } });
  });

  it('answers an unknown route with 404 route_not_found', async () => {
    await expectError(await fetch(`${app.url}/no/such/thing`), 404, 'route_not_found');
  });

  it('maps the event store errors', async () => {
    const conflict = await expectError(await fetch(`${app.url}/test/conflict`), 409, 'wrong_expected_revision');
    expect(conflict.details).toEqual([{ stream: 'post-1', expectedRevision: '3', actualRevision: '5' }]);
    await expectError(await fetch(`${app.url}/test/store-down`), 503, 'event_store_unavailable');
    await expectError(await fetch(`${app.url}/test/bad-position`), 400, 'invalid_position');
  });

  it('maps what the event store refuses: 413 too large (MAX_EVENT_BYTES), 409 an id reused with other content, 422 and 400 invalid', async () => {
    const stream = `post-${randomUUID()}`;
    const id = randomUUID();
    const tooLarge = await expectError(await post(`/test/append?stream=${stream}&id=${id}&times=2100`, ''), 413, 'event_too_large');
    expect(tooLarge.details).toEqual([{ field: 'events[0]', bytes: 2100 + 13, limitBytes: 2048 }]);
    expect((await post(`/test/append?stream=${stream}&id=${id}&times=2000`, '')).status).toBe(200);
    await expectError(await post(`/test/append?stream=${stream}&id=${id}&times=1999`, ''), 409, 'duplicate_event_id');
    const invalidAppend = await expectError(await post(`/test/append?stream=${stream}&id=not-a-uuid&times=1`, ''), 422, 'invalid_append');
    expect(invalidAppend.details).toEqual([{ field: 'events[0].id' }]);
    const invalidRead = await expectError(await fetch(`${app.url}/test/read?stream=${stream}%00`), 400, 'invalid_read');
    expect(invalidRead.details).toEqual([{ field: 'stream' }]);
    expect(await (await fetch(`${app.url}/test/read?stream=${stream}`)).json()).toBe(1);
  });

  it('maps the HTTP error hierarchy, with Retry-After on 429', async () => {
    const limited = await fetch(`${app.url}/test/rate-limited`);
    expect(limited.headers.get('retry-after')).toBe('8');
    await expectError(limited, 429, 'too_many_requests');
    await expectError(await fetch(`${app.url}/test/forbidden`), 403, 'not_author');
    const invalid = await expectError(await fetch(`${app.url}/test/invalid-query`), 400, 'bad_request');
    expect(invalid.details).toEqual([{ path: 'limit' }]);
  });

  it('answers a zod failure on valid JSON with 422 and the issues as details', async () => {
    const error = await expectError(await post('/test/zod', JSON.stringify({ title: '' })), 422, 'validation_failed');
    expect(error.details).toEqual([expect.objectContaining({ path: 'title', code: 'too_small' })]);
  });

  it('answers an unexpected error with a generic 500 and no internals', async () => {
    const error = await expectError(await fetch(`${app.url}/test/bug`), 500, 'internal_error');
    expect(error.message).not.toContain('secret');
  });
});

describe('request ids', () => {
  it('echoes a sane incoming X-Request-Id', async () => {
    const response = await fetch(`${app.url}/healthz`, { headers: { 'X-Request-Id': 'trace-abc.123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-abc.123');
  });

  it('replaces an unusable one with a fresh id', async () => {
    const response = await fetch(`${app.url}/healthz`, { headers: { 'X-Request-Id': 'bad id\twith "quotes"' } });
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
