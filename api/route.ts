import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { requireApiKeyScope } from '../auth/policies.js';
import type { Principal } from '../auth/principal.js';
import type { ApiKeyScope } from '../domain/tenant/api-key-scopes.js';
import { idempotencyKeyHeaderSchema, idempotentRequest, type Idempotency } from './idempotency/idempotency.js';
import { PayloadTooLarge } from './errors.js';
import { errorResponses } from './openapi.js';
import { minPositionHeaderSchema, type ReadYourWrites } from './read-your-writes.js';
import { principalOf, requirePrincipal } from './principal.js';
import { parseBody, parseRequestPart } from './validate.js';

export type RouteMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route:
 * - `required`: a verified credential, 401 without one; the handler gets the principal;
 * - `optional`: guests too (the handler gets the principal or undefined); a credential
 *   sent must still verify (401 otherwise);
 * - `none`: the route never asks (login, refresh, JWKS, health): mounted before
 *   authentication, so a stale token sent out of habit does not stand in its way.
 */
export type RouteAuth = 'required' | 'optional' | 'none';

/** What a route reads besides the principal; each part is validated before the handler runs. */
export interface RouteRequestSchemas {
  /** Path parameters: exactly the `:names` of the path. A refusal is 400 `invalid_path`. */
  params?: z.ZodType;
  /** A refusal is 400 `invalid_query`. */
  query?: z.ZodType;
  /** Lower-case header names; other headers pass through. A refusal is 400 `invalid_headers`. */
  headers?: z.ZodType;
  /** A JSON object: another media type is 415, anything but an object 400, a schema refusal 422 with details. */
  body?: z.ZodType;
}

export interface RouteResponse {
  description: string;
  /** The body's shape (documentation; answers are not re-validated). Absent: no body. */
  schema?: z.ZodType;
  /** `application/json` unless told, e.g. `text/html` for a page. */
  contentType?: string;
  /** Response headers, for OpenAPI. */
  headers?: Record<string, { description: string; schema: { type: 'integer' | 'string' } }>;
}

export type RouteResponses = Record<number, RouteResponse>;

type Parsed<Schemas, Part extends keyof RouteRequestSchemas> =
  Schemas extends Partial<Record<Part, infer T>> ? (T extends z.ZodType ? z.output<T> : undefined) : undefined;

type PrincipalFor<Auth extends RouteAuth> = Auth extends 'required' ? Principal : Auth extends 'optional' ? Principal | undefined : undefined;

export interface RouteInput<Auth extends RouteAuth, Schemas extends RouteRequestSchemas> {
  params: Parsed<Schemas, 'params'>;
  query: Parsed<Schemas, 'query'>;
  headers: Parsed<Schemas, 'headers'>;
  body: Parsed<Schemas, 'body'>;
  principal: PrincipalFor<Auth>;
  /** For what the schemas do not cover: the client's address, the raw query string, cookies. */
  req: Request;
  /** For answers beyond status, body and headers (redirects, pages, cookies); write to it and return nothing. */
  res: Response;
}

type BodyFor<R> = R extends { schema: infer S extends z.ZodType } ? { body: z.input<S> } : { body?: undefined };

/** One of the documented statuses, with the body its schema describes. */
export type RouteAnswer<Responses extends RouteResponses> = {
  [Status in keyof Responses & number]: { status: Status; headers?: Record<string, string> } & BodyFor<Responses[Status]>;
}[keyof Responses & number];

/** What a definition says about itself, apart from its handler. */
interface RouteDescription {
  method: RouteMethod;
  /** Express syntax, full path: `/api/posts/:id`. OpenAPI's `{id}` is derived from it. */
  path: string;
  tags: readonly string[];
  summary: string;
  description?: string;
  auth: RouteAuth;
  /** An API key is accepted as well as a bearer token (documented as a second security scheme). */
  apiKey?: boolean;
  /**
   * The scope an API key needs to call this route: `admin` unless told
   * (`ingest` for the ingest endpoints, `read` for analytics queries). A key
   * without it is refused with 403 `insufficient_scope` before anything else
   * is looked at; users are not affected. Documented as `x-api-key-scope`.
   */
  apiKeyScope?: ApiKeyScope;
  request?: RouteRequestSchemas;
  responses: RouteResponses;
  /**
   * The error statuses the handler may answer (404, 403, 409, 412, 429, 504...);
   * those the definition implies are added: 401 for `required` and `optional`,
   * 400 for params, query or headers, 400, 415 and 422 for a body.
   */
  errors?: readonly number[];
  /**
   * Honour `Idempotency-Key` (the POSTs that create): a repeat of a request
   * that succeeded gets its answer again and changes nothing (README, Write
   * rules). The process's runner, from the feature's context. Documents the
   * header and its 400, 409 and 422.
   */
  idempotency?: Idempotency;
  /**
   * A query: before the handler runs, waits (bounded) until these read models
   * have processed the request's `X-Min-Position`. Documents the header with
   * its 400 (malformed) and 504 (time-out). `wait` from the feature's context.
   */
  readYourWrites?: { wait: ReadYourWrites; readModels: readonly string[] };
  /**
   * The route reads its body itself, as bytes (`req.body` is a Buffer, or
   * undefined without a body), whatever the Content-Type says, with gzip,
   * deflate and brotli undone, up to `limitBytes` after inflation (413 with
   * `tooLarge`'s code; its message should name the variable that sets it).
   * Read before the JSON parser, so BODY_LIMIT does not apply. For clients
   * that send JSON under another media type (RudderStack's form type).
   * `schema` documents the JSON the route expects. Not with `request.body`.
   */
  rawBody?: RawBodyOptions;
}

export interface RawBodyOptions {
  limitBytes: number;
  tooLarge: { code: string; message: string };
  schema?: z.ZodType;
}

export interface RouteDefinition<Auth extends RouteAuth, Schemas extends RouteRequestSchemas, Responses extends RouteResponses> extends RouteDescription {
  auth: Auth;
  request?: Schemas;
  responses: Responses;
  /**
   * NoInfer: the documented responses alone decide the statuses, so `status: 200` stays a literal. A literal
   * inside a body (`kind: 'user'`) still needs `as const`: TypeScript widens it before the schema is known.
   */
  handler(input: RouteInput<Auth, Schemas>): RouteAnswer<NoInfer<Responses>> | void | Promise<RouteAnswer<NoInfer<Responses>> | void>;
}

type AnyAnswer = { status: number; headers?: Record<string, string>; body?: unknown };

/** A route as defined once: what express mounts and what OpenAPI documents, from the same object. */
export interface Route {
  readonly method: RouteMethod;
  readonly path: string;
  readonly openApiPath: string;
  readonly auth: RouteAuth;
  readonly openApi: RouteConfig;
  readonly handle: RequestHandler;
  /** For `rawBody` routes: reads the body, mounted before the JSON parser (RouteModule.registerBodyReaders). */
  readonly readBody?: RequestHandler;
}

/** A definition that cannot work, found when the module is built rather than on the first request. */
export class RouteDefinitionError extends Error {
  constructor(method: string, path: string, problem: string) {
    super(`route ${method.toUpperCase()} ${path}: ${problem}`);
    this.name = 'RouteDefinitionError';
  }
}

/** A handler returned a status its definition does not document, or neither returned nor wrote an answer. */
export class RouteAnswerError extends Error {
  constructor(method: string, path: string, problem: string) {
    super(`route ${method.toUpperCase()} ${path}: ${problem}`);
    this.name = 'RouteAnswerError';
  }
}

const PATH_PARAMETER = /:([A-Za-z_][A-Za-z0-9_]*)/g;
/** Plain segments and `:name` parameters; express' wildcards and optional groups have no OpenAPI form. */
const SUPPORTED_PATH = /^(?:\/(?:[A-Za-z0-9._~-]+|:[A-Za-z_][A-Za-z0-9_]*))+$|^\/$/;

/** `/api/posts/:id` → `/api/posts/{id}`. */
export function openApiPathOf(path: string): string {
  return path.replace(PATH_PARAMETER, '{$1}');
}

export function defineRoute<
  const Auth extends RouteAuth,
  Schemas extends RouteRequestSchemas = Record<never, never>,
  Responses extends RouteResponses = RouteResponses,
>(definition: RouteDefinition<Auth, Schemas, Responses>): Route {
  const { method, path, auth } = definition;
  const apiKeyScope = apiKeyScopeOf(definition);
  const request: RouteRequestSchemas = definition.request ?? {};
  checkPath(definition, request);
  const responses: RouteResponses = definition.responses;

  const handle: RequestHandler = async (req, res) => {
    // Who is asking comes first: an anonymous caller learns nothing from validation messages.
    const principal = auth === 'required' ? requirePrincipal(res) : auth === 'optional' ? principalOf(res) : undefined;
    // Every route an API key can reach names its scope, so no route is forgotten (an ingest-only write key ships in web pages).
    if (principal) requireApiKeyScope(principal, apiKeyScope);
    const input = {
      params: request.params ? parseRequestPart(request.params, req.params, 'path') : undefined,
      query: request.query ? parseRequestPart(request.query, req.query, 'query') : undefined,
      headers: request.headers ? parseRequestPart(request.headers, req.headers, 'headers') : undefined,
      body: request.body ? parseBody(request.body, req) : undefined,
      principal,
      req,
      res,
    } as unknown as RouteInput<Auth, Schemas>;
    if (definition.readYourWrites) await definition.readYourWrites.wait(req, definition.readYourWrites.readModels);
    const run = async () => (await definition.handler(input)) as AnyAnswer | undefined;
    // After validation: a request refused as malformed claims no key.
    const answer = definition.idempotency ? await definition.idempotency.run(idempotentRequest(req, principal), run) : await run();
    if (answer === undefined) {
      if (!res.headersSent) throw new RouteAnswerError(method, path, 'the handler neither returned an answer nor wrote one');
      return;
    }
    const response = responses[answer.status];
    if (!response) throw new RouteAnswerError(method, path, `status ${answer.status} is not among its documented responses`);
    res.status(answer.status);
    if (answer.headers) res.set(answer.headers);
    if (answer.body === undefined) {
      res.end();
    } else if ((response.contentType ?? 'application/json') === 'application/json') {
      res.json(answer.body);
    } else {
      // A Content-Type the handler set (e.g. with a version parameter) is more precise than the documented one.
      if (!res.get('Content-Type')) res.type(response.contentType ?? 'application/json');
      res.send(answer.body);
    }
  };

  const readBody = definition.rawBody ? rawBodyReader(definition.rawBody) : undefined;
  return { method, path, openApiPath: openApiPathOf(path), auth, openApi: openApiEntry(definition, request), handle, ...(readBody ? { readBody } : {}) };
}

/** express.raw for any media type, its too-large refusal in the route's own words. */
function rawBodyReader(options: RawBodyOptions): RequestHandler {
  const read = express.raw({ type: () => true, limit: options.limitBytes, inflate: true });
  return (req, res, next) => {
    read(req, res, (error?: unknown) => {
      if (isTooLarge(error)) {
        next(new PayloadTooLarge(options.tooLarge.message, { code: options.tooLarge.code, details: [{ limitBytes: options.limitBytes }] }));
        return;
      }
      next(error);
    });
  };
}

function isTooLarge(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.too.large';
}

function apiKeyScopeOf(definition: RouteDescription): ApiKeyScope {
  return definition.apiKeyScope ?? 'admin';
}

function checkPath(definition: RouteDescription, request: RouteRequestSchemas): void {
  const { method, path } = definition;
  if (!SUPPORTED_PATH.test(path)) throw new RouteDefinitionError(method, path, 'only plain segments and :name parameters are supported');
  const names = [...path.matchAll(PATH_PARAMETER)].map((match) => match[1] ?? '');
  if (names.length > 0 && !request.params) throw new RouteDefinitionError(method, path, `path parameters ${names.join(', ')} need a params schema`);
  if (request.params instanceof z.ZodObject) {
    const keys = Object.keys(request.params.shape).sort();
    if (keys.join() !== [...names].sort().join()) {
      throw new RouteDefinitionError(method, path, `the params schema (${keys.join(', ')}) must name exactly the path parameters (${names.join(', ')})`);
    }
  }
  if (request.headers instanceof z.ZodObject) {
    const upper = Object.keys(request.headers.shape).filter((name) => name !== name.toLowerCase());
    if (upper.length > 0) throw new RouteDefinitionError(method, path, `header names must be lower case (node lower-cases them): ${upper.join(', ')}`);
  }
  if (definition.rawBody && request.body) throw new RouteDefinitionError(method, path, 'a route reads its body either raw (rawBody) or as JSON (request.body), not both');
  for (const status of Object.keys(definition.responses)) {
    if (!/^[1-5]\d\d$/.test(status)) throw new RouteDefinitionError(method, path, `${status} is not an HTTP status`);
  }
}

/** The statuses a definition can answer besides its own responses. */
function errorStatuses(definition: RouteDescription, request: RouteRequestSchemas): number[] {
  const statuses = new Set(definition.errors ?? []);
  if (definition.auth !== 'none') statuses.add(401);
  if (request.params || request.query || request.headers) statuses.add(400);
  if (request.body) [400, 415, 422].forEach((status) => statuses.add(status));
  if (definition.idempotency) [400, 409, 422].forEach((status) => statuses.add(status));
  if (definition.readYourWrites) [400, 504].forEach((status) => statuses.add(status));
  if (definition.rawBody) [400, 413, 415].forEach((status) => statuses.add(status));
  for (const status of Object.keys(definition.responses)) statuses.delete(Number(status));
  return [...statuses].sort((a, b) => a - b);
}

function openApiEntry(definition: RouteDescription, request: RouteRequestSchemas): RouteConfig {
  const responses: RouteConfig['responses'] = { ...errorResponses(...errorStatuses(definition, request)) };
  for (const [status, response] of Object.entries(definition.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } } : {}),
      ...(response.headers ? { headers: response.headers } : {}),
    };
  }
  const acceptsApiKey = definition.apiKey === true || definition.apiKeyScope !== undefined;
  const security: Record<string, string[]>[] = acceptsApiKey ? [{ bearerAuth: [] }, { apiKey: [] }] : [{ bearerAuth: [] }];
  return {
    method: definition.method,
    path: openApiPathOf(definition.path),
    tags: [...definition.tags],
    summary: definition.summary,
    ...(definition.description ? { description: definition.description } : {}),
    // An empty requirement is OpenAPI's way of saying a guest may call too.
    ...(definition.auth === 'required' ? { security } : definition.auth === 'optional' ? { security: [...security, {}] } : {}),
    ...(definition.auth === 'none' ? {} : { 'x-api-key-scope': apiKeyScopeOf(definition) }),
    request: {
      ...(request.params ? { params: request.params as z.ZodObject } : {}),
      ...(request.query ? { query: request.query as z.ZodObject } : {}),
      ...(documentedHeaders(definition, request) ?? {}),
      ...(request.body ? { body: { content: { 'application/json': { schema: request.body } }, required: true } } : {}),
      ...(definition.rawBody?.schema ? { body: { content: { 'application/json': { schema: definition.rawBody.schema } }, required: true } } : {}),
    },
    responses,
  };
}

/** The request headers for OpenAPI: the route's own, Idempotency-Key and X-Min-Position when it honours them. */
function documentedHeaders(definition: RouteDescription, request: RouteRequestSchemas): { headers: z.ZodObject } | undefined {
  let headers = request.headers as z.ZodObject | undefined;
  if (definition.idempotency) headers = headers ? headers.extend(idempotencyKeyHeaderSchema.shape) : idempotencyKeyHeaderSchema;
  if (definition.readYourWrites) headers = headers ? headers.extend(minPositionHeaderSchema.shape) : minPositionHeaderSchema;
  return headers ? { headers } : undefined;
}
