import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { GOOD_PASSWORD } from '../support/identity-harness.js';
import { readModelsBuilt } from '../support/read-models.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every operation in /openapi.json, called with generated parameters,
 * bodies and headers, valid and not: the server never answers 5xx, every
 * refusal is the error format with a request id, and no answer carries a
 * stack trace, an internal stream id or a secret. CI runs a fixed seed and
 * a bounded number of runs; `npm run test:fuzz` runs many more
 * (FUZZ_RUNS, FUZZ_SEED).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  body: JsonSchema | undefined;
  /** Statuses documented as a web page for people (GET /console's 404 when not built), not the JSON error format. */
  htmlStatuses: string[];
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: { content?: Record<string, { schema?: JsonSchema }> }; responses?: Record<string, { content?: Record<string, unknown> }> }>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

let app: TestApp;
let admin: AuthAnswer;
let operations: Operation[];
let schemas: Record<string, JsonSchema>;

beforeAll(async () => {
  // The whole backend (`start`): list routes read projections, which only the workers build.
  app = await startTestApp({ role: 'start', env: { ...GENEROUS_LIMITS_ENV, READ_YOUR_WRITES_TIMEOUT_MS: '200', BODY_LIMIT: '64kb' } });
  await readModelsBuilt(app);
  admin = await new HttpClient(app.url).signup({ displayName: 'Fuzz Admin' });
  const document = (await (await fetch(`${app.url}/openapi.json`)).json()) as OpenApiDocument;
  schemas = document.components?.schemas ?? {};
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    // An event stream (GET /feed/sse) never ends, so its answer cannot be read whole; the feed's own tests cover it.
    Object.entries(methods).filter(([, operation]) => !Object.values(operation.responses ?? {}).some((response) => response.content?.['text/event-stream'])).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!),
      queryParams: (operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
      body: operation.requestBody?.content?.['application/json']?.schema,
      htmlStatuses: Object.entries(operation.responses ?? {}).filter(([, response]) => response.content?.['text/html']).map(([status]) => status),
    })),
  );
}, 60_000);
afterAll(async () => app?.stop());

/** Strings a server meets from careless or hostile clients. */
const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\ud800', '\udfff', '\u202e', '\ufeff', '%', '/', '\\', '.', '"', "'", '<', '\n', 'é'), maxLength: 20 }),
  fc.constantFrom('', ' ', 'constructor', '__proto__', 'toString', '..', '../..', 'null', 'NaN', '-1', '1e309', '0x10', 'ada@example.com', 'chk_x', 'a'.repeat(5000)),
);

function fromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (schema.$ref) return fromSchema(schemas[schema.$ref.replace('#/components/schemas/', '')], depth + 1);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((alternative) => fromSchema(alternative, depth + 1)));
  if (schema.allOf?.length) return fromSchema(schema.allOf[0], depth + 1);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return schema.format === 'email' ? fc.oneof(fc.emailAddress(), oddString) : schema.format === 'password' ? fc.oneof(fc.constant(GOOD_PASSWORD), oddString) : oddString;
    case 'integer':
      return fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 53, 1_000_001));
    case 'number':
      return fc.double();
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(fromSchema(schema.items, depth + 1), { maxLength: 5 });
    case 'object': {
      const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, property]) => [name, fromSchema(property, depth + 1)]));
      return fc.record(properties, { requiredKeys: [] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A body the schema likes, one with wrong types or extra fields, or bytes that are not JSON at all. */
function bodyFor(operation: Operation): fc.Arbitrary<{ bytes: Buffer; headers: Record<string, string> } | undefined> {
  const json = (value: unknown) => ({ bytes: Buffer.from(JSON.stringify(value) ?? 'null'), headers: { 'content-type': 'application/json' } });
  return fc.oneof(
    { weight: 4, arbitrary: fromSchema(operation.body).map(json) },
    { weight: 1, arbitrary: fc.tuple(fromSchema(operation.body), fc.dictionary(oddString, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })).map(([valid, extra]) => json(typeof valid === 'object' && valid !== null ? { ...extra, ...valid } : extra)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
    { weight: 1, arbitrary: oddString.map((text) => ({ bytes: Buffer.from(text), headers: { 'content-type': 'application/json' } })) },
    { weight: 1, arbitrary: fc.tuple(fromSchema(operation.body), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin-9', 'multipart/form-data')).map(([value, type]) => ({ bytes: Buffer.from(JSON.stringify(value) ?? ''), headers: { 'content-type': type } })) },
    { weight: 1, arbitrary: fc.tuple(fromSchema(operation.body), fc.constantFrom('gzip', 'br', 'deflate', 'zstd', 'x-unknown'), fc.boolean()).map(([value, encoding, corrupt]) => {
      const packed = gzipSync(Buffer.from(JSON.stringify(value) ?? ''));
      return { bytes: corrupt ? packed.subarray(0, Math.max(1, packed.length >> 1)) : packed, headers: { 'content-type': 'application/json', 'content-encoding': encoding } };
    }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** A path segment: mostly encoded text, sometimes raw broken percent-encoding. */
const pathSegment = fc.oneof(
  { weight: 4, arbitrary: oddString.filter((text) => text.length > 0).map((text) => encodeURIComponent(text.isWellFormed() ? text : text.toWellFormed())) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%00', '%ZZ', '%C0%AF', '%ED%A0%80', 'a%2Fb', '%25') },
);

const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 200 });

function requestFor(operation: Operation) {
  return fc.record({
    segments: fc.tuple(...operation.pathParams.map(() => pathSegment)),
    query: fc.dictionary(fc.oneof(fc.constantFrom(...operation.queryParams, 'limit', 'after', 'code', 'state'), fc.string({ maxLength: 10 })), fc.oneof(oddString, fc.integer().map(String)), { maxKeys: 4 }),
    body: operation.method === 'GET' || operation.method === 'DELETE' ? fc.constant(undefined) : bodyFor(operation),
    credential: fc.constantFrom<'admin' | 'none' | 'garbage' | 'apiKey'>('admin', 'admin', 'none', 'garbage', 'apiKey'),
    extraHeaders: fc.dictionary(fc.constantFrom('if-match', 'x-request-id', 'x-read-your-writes', 'accept', 'x-forwarded-for', 'cookie', 'origin'), headerValue, { maxKeys: 3 }),
  });
}

const STACK_TRACE = /\bat [^\s]+ \(?[^\s]*\.[cm]?[jt]s:\d+|node:internal|\/node_modules\//;
const STREAM_NAME = /\b(user|tenant|email[-_]reservation|external[-_]identity|invitation|api[-_]key)[-_][0-9a-f]{8}-[0-9a-f]{4}/i;

describe('every operation in /openapi.json against generated input', () => {
  it(`never answers 5xx, always the error format with a request id, never internals (seed ${SEED}, ${RUNS} runs)`, async () => {
    const secrets = [GOOD_PASSWORD, admin.refreshToken, new URL(app.services.config.DATABASE_URL ?? 'postgres://x:y@z/w').password].filter((secret) => secret.length >= 6);
    const arbitrary = fc.constantFrom(...operations).chain((operation) => requestFor(operation).map((request) => ({ operation, request })));
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ operation, request }) => {
        let index = 0;
        const path = operation.path.replace(/\{[^}]+\}/g, () => request.segments[index++] ?? 'x');
        const query = new URLSearchParams(request.query).toString();
        const headers: Record<string, string> = { ...request.extraHeaders, ...request.body?.headers };
        if (request.credential === 'admin') headers.authorization = `Bearer ${admin.accessToken}`;
        if (request.credential === 'garbage') headers.authorization = 'Bearer eyJhbGciOiJub25lIn0.e30.';
        if (request.credential === 'apiKey') headers['x-api-key'] = 'chk_not-a-real-key';
        const response = await fetch(`${app.url}${path}${query ? `?${query}` : ''}`, { method: operation.method, headers, body: request.body?.bytes, redirect: 'manual' });
        const text = await response.text();
        const what = `${operation.method} ${path}${query ? `?${query}` : ''} -> ${response.status} ${text.slice(0, 300)}`;
        expect({ what, serverError: response.status >= 500 }).toEqual({ what, serverError: false });
        expect({ what, requestId: Boolean(response.headers.get('x-request-id')) }).toEqual({ what, requestId: true });
        expect({ what, stackTrace: STACK_TRACE.test(text) }).toEqual({ what, stackTrace: false });
        for (const secret of secrets) expect({ what, secret: text.includes(secret) }).toEqual({ what, secret: false });
        if (response.status >= 400 && operation.htmlStatuses.includes(String(response.status))) {
          expect({ what, contentType: response.headers.get('content-type') }).toEqual({ what, contentType: expect.stringContaining('text/html') });
        } else if (response.status >= 400) {
          const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
          expect({ what, code: typeof body.error?.code, message: typeof body.error?.message }).toEqual({ what, code: 'string', message: 'string' });
          expect({ what, internalId: STREAM_NAME.test(text) }).toEqual({ what, internalId: false });
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);
});
