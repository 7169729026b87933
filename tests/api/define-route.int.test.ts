import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { defineRoute } from '../../api/route.js';
import { routeModule } from '../../api/route-module.js';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * defineRoute over real HTTP: who is asking, then the path, query, headers
 * and body, each refused with its own status and details before the handler
 * runs; the handler's answer or its own writing to the response; and the
 * OpenAPI entry built from the same definition.
 */
const THING_ID = '5b0e4b1e-8a43-4c57-9b0b-6f3f2a9a7c10';

const probeRoutes = routeModule('route-probe', [
  defineRoute({
    method: 'put', path: '/test/things/:id', tags: ['test'], summary: 'Typed inputs in, typed answer out', auth: 'required',
    request: {
      params: z.object({ id: z.uuid() }),
      query: z.object({ dryRun: z.enum(['yes', 'no']).optional() }),
      headers: z.object({ 'x-probe': z.string().regex(/^\d+$/).optional() }),
      body: z.object({ name: z.string().min(1).max(10) }).strict(),
    },
    responses: { 200: { schema: z.object({ id: z.string(), name: z.string(), caller: z.string(), dryRun: z.boolean(), probe: z.string().nullable() }), description: 'Echoed' } },
    errors: [404],
    handler({ params, query, headers, body, principal }) {
      const caller = principal.kind === 'user' ? principal.userId : principal.keyId;
      return { status: 200, body: { id: params.id, name: body.name, caller, dryRun: query.dryRun === 'yes', probe: headers['x-probe'] ?? null }, headers: { ETag: '"7"' } };
    },
  }),
  defineRoute({
    method: 'get', path: '/test/guests-welcome', tags: ['test'], summary: 'Guests too', auth: 'optional',
    responses: { 200: { schema: z.object({ who: z.string() }), description: 'Who asked' } },
    handler: ({ principal }) => ({ status: 200, body: { who: principal?.kind ?? 'guest' } }),
  }),
  defineRoute({
    method: 'get', path: '/test/elsewhere', tags: ['test'], summary: 'Writes its own answer', auth: 'required',
    responses: { 302: { description: 'Elsewhere' } },
    handler({ res }) {
      res.redirect(302, '/somewhere');
    },
  }),
  defineRoute({
    method: 'get', path: '/test/undocumented', tags: ['test'], summary: 'Answers a status it does not document', auth: 'required',
    responses: { 200: { description: 'Never' } },
    handler: () => ({ status: 418 }) as never,
  }),
]);

const publicProbeRoutes = routeModule('route-probe-public', [
  defineRoute({
    method: 'get', path: '/test/public/:name', tags: ['test'], summary: 'Never asks who is calling', auth: 'none',
    request: { params: z.object({ name: z.string().max(5) }) },
    responses: { 200: { schema: z.string(), contentType: 'text/plain', description: 'Hello' } },
    handler: ({ params }) => ({ status: 200, body: `hello ${params.name}` }),
  }),
]);

let app: TestApp;
let http: HttpClient;
let user: AuthAnswer;

beforeAll(async () => {
  app = await startTestApp({ env: GENEROUS_LIMITS_ENV, routeModules: [probeRoutes, publicProbeRoutes] });
  http = new HttpClient(app.url);
  user = await http.signup();
}, 60_000);
afterAll(async () => app?.stop());

const put = (path: string, body: unknown, options: { bearer?: string; headers?: Record<string, string> } = {}) => http.call('PUT', path, { ...options, body });

describe('defineRoute validates before the handler runs', () => {
  it('gives the handler typed, parsed inputs and sends its answer with its headers', async () => {
    const response = await put(`/test/things/${THING_ID}?dryRun=yes`, { name: 'ada' }, { bearer: user.accessToken, headers: { 'x-probe': '42' } });
    expect(response.headers.get('etag')).toBe('"7"');
    expect(await expectJson(response, 200)).toEqual({ id: THING_ID, name: 'ada', caller: user.user.id, dryRun: true, probe: '42' });
  });

  it('asks who is calling first: an anonymous caller gets 401, not the validation of its input', async () => {
    await expectError(await put('/test/things/not-a-uuid', [1]), 401, 'unauthenticated');
  });

  it('a bad path parameter, query or header is 400 with details naming it', async () => {
    const bearer = user.accessToken;
    const path = await expectError(await put('/test/things/not-a-uuid', { name: 'ada' }, { bearer }), 400, 'invalid_path');
    expect(path.details?.[0]).toMatchObject({ path: 'id' });
    const query = await expectError(await put(`/test/things/${THING_ID}?dryRun=maybe`, { name: 'ada' }, { bearer }), 400, 'invalid_query');
    expect(query.details?.[0]).toMatchObject({ path: 'dryRun' });
    const header = await expectError(await put(`/test/things/${THING_ID}`, { name: 'ada' }, { bearer, headers: { 'x-probe': 'abc' } }), 400, 'invalid_headers');
    expect(header.details?.[0]).toMatchObject({ path: 'x-probe' });
  });

  it('a body of another media type is 415, a non-object 400, and one the schema refuses 422 with a detail per problem', async () => {
    const bearer = user.accessToken;
    const path = `/test/things/${THING_ID}`;
    await expectError(await put(path, 'name=ada', { bearer, headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
    await expectError(await put(path, [{ name: 'ada' }], { bearer }), 400, 'malformed_body');
    const refused = await expectError(await put(path, { name: '', extra: true }, { bearer }), 422, 'validation_failed');
    expect(refused.details?.map((detail) => detail.path ?? detail.code).sort()).toEqual(['', 'name']);
  });
});

describe('authentication per route', () => {
  it("'optional' serves guests and callers alike, and still refuses a credential that does not verify", async () => {
    expect(await expectJson(await http.get('/test/guests-welcome'), 200)).toEqual({ who: 'guest' });
    expect(await expectJson(await http.get('/test/guests-welcome', { bearer: user.accessToken }), 200)).toEqual({ who: 'user' });
    await expectError(await http.get('/test/guests-welcome', { bearer: 'not-a-token' }), 401, 'invalid_token');
  });

  it("'none' is mounted before authentication: a stale credential does not stand in its way", async () => {
    const response = await http.get('/test/public/ada', { bearer: 'not-a-token' });
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('hello ada');
  });
});

describe('answers', () => {
  it('a handler may write its own answer (a redirect) and return nothing', async () => {
    const response = await http.get('/test/elsewhere', { bearer: user.accessToken });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/somewhere');
  });

  it('a status the definition does not document is a server error, never sent as if documented', async () => {
    await expectError(await http.get('/test/undocumented', { bearer: user.accessToken }), 500, 'internal_error');
  });
});

describe('the OpenAPI entry comes from the same definition', () => {
  it('documents the path, every request part, the security and the statuses the definition implies', async () => {
    type Operation = { security?: unknown[]; parameters?: Array<{ name: string; in: string }>; requestBody?: unknown; responses: Record<string, unknown> };
    const document = await expectJson<{ paths: Record<string, Record<string, Operation>> }>(await http.get('/openapi.json'), 200);
    const put = document.paths['/test/things/{id}']?.put;
    expect(put?.parameters?.map((parameter) => `${parameter.in}:${parameter.name}`).sort()).toEqual(['header:x-probe', 'path:id', 'query:dryRun']);
    expect(put?.requestBody).toBeDefined();
    expect(put?.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(put?.responses ?? {}).sort()).toEqual(['200', '400', '401', '404', '415', '422']);
    expect(document.paths['/test/guests-welcome']?.get?.security).toEqual([{ bearerAuth: [] }, {}]);
    expect(document.paths['/test/public/{name}']?.get?.security).toBeUndefined();
  });
});
