import { z } from 'zod';
import type { ApiKeyRecord } from '../../auth/api-keys/api-key-store.js';
import { apiKeyScopeSchema } from '../../domain/tenant/api-key-scopes.js';
import type { IdentityService } from '../../auth/identity-service.js';
import { NotFound } from '../errors.js';
import { requestInfo } from '../request-info.js';
import { NO_STORE } from '../responses.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { apiKeyParams, apiKeyRequestSchema } from './auth-schemas.js';

const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    displayPrefix: z.string().meta({ description: 'The first characters of the key, to tell keys apart' }),
    rateLimitPerMinute: z.number().int(),
    scopes: z.array(apiKeyScopeSchema).meta({ description: 'What the key may do (`ingest`, `read`, `admin`)' }),
    createdBy: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

const issuedApiKeySchema = apiKeySchema
  .omit({ revokedAt: true })
  .extend({ key: z.string().meta({ description: 'Shown once, in this answer only: send as X-Api-Key or Authorization: Bearer' }) })
  .meta({ id: 'IssuedApiKey' });

const tags = ['identity'];

/** API keys for machines, managed by the tenant's admins; the secret is shown once. */
export function apiKeysApi(identity: IdentityService): RouteModule {
  return routeModule('api-keys', [
    defineRoute({
      method: 'post', path: '/api/api-keys', tags, auth: 'required',
      summary: 'Issue an API key for your tenant (admin); the key is in this answer only',
      description:
        'Its `scopes` say what it may do: an `ingest`-only key sends analytics events and gets 403 `insufficient_scope` everywhere else. ' +
        'A tenant holds at most API_KEYS_PER_TENANT active keys (409 `api_key_limit_reached`; revoke one first), ' +
        'and issues at most RATE_LIMIT_API_KEY_ISSUE_PER_TENANT per window (429).',
      request: { body: apiKeyRequestSchema },
      responses: { 201: { schema: issuedApiKeySchema, description: 'The key' } },
      errors: [403, 409, 429],
      async handler({ principal, body, req }) {
        const { name, rateLimitPerMinute, scopes } = body;
        const issued = await identity.issueApiKey(principal, { name, ...(rateLimitPerMinute ? { rateLimitPerMinute } : {}), ...(scopes ? { scopes } : {}) }, requestInfo(req));
        const { revokedAt: _revokedAt, ...view } = apiKeyView({ ...issued, revokedAt: null });
        return { status: 201, body: { ...view, key: issued.key }, headers: { ...NO_STORE, Location: `/api/api-keys/${issued.id}` } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/api-keys', tags, auth: 'required',
      summary: "Your tenant's API keys, newest first, without their secrets (admin)",
      responses: { 200: { schema: z.object({ items: z.array(apiKeySchema) }), description: 'The keys' } },
      errors: [403],
      async handler({ principal }) {
        const keys = await identity.listApiKeys(principal);
        return { status: 200, body: { items: keys.map(apiKeyView) } };
      },
    }),
    // Where the Location of a newly issued key points.
    defineRoute({
      method: 'get', path: '/api/api-keys/:id', tags, auth: 'required',
      summary: 'One API key of your tenant, without its secret (admin)',
      request: { params: apiKeyParams },
      responses: { 200: { schema: apiKeySchema, description: 'The key' } },
      errors: [403, 404],
      async handler({ principal, params }) {
        const key = (await identity.listApiKeys(principal)).find((record) => record.id === params.id);
        if (!key) throw new NotFound('no such API key in your tenant', { code: 'api_key_not_found' });
        return { status: 200, body: apiKeyView(key) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/api-keys/:id', tags, auth: 'required',
      summary: 'Revoke an API key (admin): it stops working at once',
      request: { params: apiKeyParams },
      responses: { 204: { description: 'Revoked' } },
      errors: [403, 404],
      async handler({ principal, params, req }) {
        await identity.revokeApiKey(principal, params.id, requestInfo(req));
        return { status: 204 };
      },
    }),
  ]);
}

function apiKeyView(record: ApiKeyRecord): z.infer<typeof apiKeySchema> {
  return {
    id: record.id,
    name: record.name,
    displayPrefix: record.displayPrefix,
    rateLimitPerMinute: record.rateLimitPerMinute,
    scopes: [...record.scopes],
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}
