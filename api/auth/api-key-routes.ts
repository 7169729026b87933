import { z } from 'zod';
import type { ApiKeyRecord } from '../../auth/api-keys/api-key-store.js';
import type { IdentityService } from '../../auth/identity-service.js';
import { NotFound } from '../errors.js';
import { errorResponses } from '../openapi.js';
import { requirePrincipal } from '../principal.js';
import type { RouteModule } from '../route-module.js';
import { parseBody, parseRequestPart } from '../validate.js';
import { apiKeyParams, apiKeyRequestSchema } from './auth-schemas.js';
import { json, jsonBody, noStore } from './auth-views.js';
import { requestInfo } from './request-info.js';

const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    displayPrefix: z.string().meta({ description: 'The first characters of the key, to tell keys apart' }),
    rateLimitPerMinute: z.number().int(),
    createdBy: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

const issuedApiKeySchema = apiKeySchema
  .omit({ revokedAt: true })
  .extend({ key: z.string().meta({ description: 'Shown once, in this answer only: send as X-Api-Key or Authorization: Bearer' }) })
  .meta({ id: 'IssuedApiKey' });

/** API keys for machines, managed by the tenant's admins; the secret is shown once. */
export function apiKeysApi(identity: IdentityService): RouteModule {
  return {
    name: 'api-keys',
    register({ router, openapi }) {
      router.post('/api/api-keys', async (req, res) => {
        const principal = requirePrincipal(res);
        const { name, rateLimitPerMinute } = parseBody(apiKeyRequestSchema, req);
        const issued = await identity.issueApiKey(principal, { name, ...(rateLimitPerMinute ? { rateLimitPerMinute } : {}) }, requestInfo(req));
        const { revokedAt: _revokedAt, ...view } = apiKeyView({ ...issued, revokedAt: null });
        noStore(res).status(201).location(`/api/api-keys/${issued.id}`).json({ ...view, key: issued.key });
      });

      router.get('/api/api-keys', async (_req, res) => {
        const keys = await identity.listApiKeys(requirePrincipal(res));
        res.json({ items: keys.map(apiKeyView) });
      });

      // Where the Location of a newly issued key points.
      router.get('/api/api-keys/:id', async (req, res) => {
        const { id } = parseRequestPart(apiKeyParams, req.params, 'path');
        const key = (await identity.listApiKeys(requirePrincipal(res))).find((record) => record.id === id);
        if (!key) throw new NotFound('no such API key in your tenant', { code: 'api_key_not_found' });
        res.json(apiKeyView(key));
      });

      router.delete('/api/api-keys/:id', async (req, res) => {
        const principal = requirePrincipal(res);
        const { id } = parseRequestPart(apiKeyParams, req.params, 'path');
        await identity.revokeApiKey(principal, id, requestInfo(req));
        res.status(204).end();
      });

      const tags = ['identity'];
      const security = [{ bearerAuth: [] }];
      openapi.registerPath({
        method: 'post', path: '/api/api-keys', tags, security,
        summary: 'Issue an API key for your tenant (admin); the key is in this answer only',
        description:
          'A tenant holds at most API_KEYS_PER_TENANT active keys (409 `api_key_limit_reached`; revoke one first), ' +
          'and issues at most RATE_LIMIT_API_KEY_ISSUE_PER_TENANT per window (429).',
        request: jsonBody(apiKeyRequestSchema),
        responses: { 201: json(issuedApiKeySchema, 'The key'), ...errorResponses(400, 401, 403, 409, 422, 429) },
      });
      openapi.registerPath({
        method: 'get', path: '/api/api-keys', tags, security,
        summary: "Your tenant's API keys, newest first, without their secrets (admin)",
        responses: { 200: json(z.object({ items: z.array(apiKeySchema) }), 'The keys'), ...errorResponses(401, 403) },
      });
      openapi.registerPath({
        method: 'get', path: '/api/api-keys/{id}', tags, security,
        summary: 'One API key of your tenant, without its secret (admin)',
        request: { params: apiKeyParams },
        responses: { 200: json(apiKeySchema, 'The key'), ...errorResponses(400, 401, 403, 404) },
      });
      openapi.registerPath({
        method: 'delete', path: '/api/api-keys/{id}', tags, security,
        summary: 'Revoke an API key (admin): it stops working at once',
        request: { params: apiKeyParams },
        responses: { 204: { description: 'Revoked' }, ...errorResponses(400, 401, 403, 404) },
      });
    },
  };
}

function apiKeyView(record: ApiKeyRecord): z.infer<typeof apiKeySchema> {
  return {
    id: record.id,
    name: record.name,
    displayPrefix: record.displayPrefix,
    rateLimitPerMinute: record.rateLimitPerMinute,
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}
