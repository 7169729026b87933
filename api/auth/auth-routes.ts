import { z } from 'zod';
import type { IdentityService } from '../../auth/identity-service.js';
import { errorResponses } from '../openapi.js';
import type { RouteModule } from '../route-module.js';
import { parseBody } from '../validate.js';
import { loginRequestSchema, refreshRequestSchema, signupRequestSchema } from './auth-schemas.js';
import { authResultSchema, authResultView, json, jsonBody, noStore } from './auth-views.js';
import { requestInfo } from './request-info.js';

/**
 * Signup, login, refresh, logout and the JWKS: the routes that establish
 * who someone is, so none of them reads a credential header (a public module).
 */
export function authApi(identity: IdentityService): RouteModule {
  return {
    name: 'auth',
    public: true,
    register({ router, openapi }) {
      router.post('/auth/signup', async (req, res) => {
        const { displayName, invitationToken, ...credentials } = parseBody(signupRequestSchema, req);
        const input = { ...credentials, ...(displayName === undefined ? {} : { displayName }), ...(invitationToken === undefined ? {} : { invitationToken }) };
        const result = await identity.signup(input, requestInfo(req));
        noStore(res).status(201).json(authResultView(result));
      });

      router.post('/auth/login', async (req, res) => {
        const result = await identity.login(parseBody(loginRequestSchema, req), requestInfo(req));
        noStore(res).json(authResultView(result));
      });

      router.post('/auth/refresh', async (req, res) => {
        const { refreshToken } = parseBody(refreshRequestSchema, req);
        noStore(res).json(authResultView(await identity.refresh(refreshToken)));
      });

      router.post('/auth/logout', async (req, res) => {
        const { refreshToken } = parseBody(refreshRequestSchema, req);
        await identity.logout(refreshToken);
        res.status(204).end();
      });

      router.get('/.well-known/jwks.json', async (_req, res) => {
        // Verifiers may cache for a while; a new key is added beside the old one, never swapped in at once.
        res.set('Cache-Control', 'public, max-age=300').json(await identity.jwks());
      });

      const tags = ['auth'];
      openapi.registerPath({
        method: 'post', path: '/auth/signup', tags,
        summary: 'Create an account: a new tenant whose admin you are, or with invitationToken a member of the inviting tenant',
        request: jsonBody(signupRequestSchema),
        responses: { 201: json(authResultSchema, 'Signed up and logged in'), ...errorResponses(400, 404, 409, 422, 429) },
      });
      openapi.registerPath({
        method: 'post', path: '/auth/login', tags,
        summary: 'Log in with email and password (one answer for an unknown email and a wrong password)',
        request: jsonBody(loginRequestSchema),
        responses: { 200: json(authResultSchema, 'Logged in'), ...errorResponses(400, 401, 422, 429) },
      });
      openapi.registerPath({
        method: 'post', path: '/auth/refresh', tags,
        summary: 'Rotate the refresh token; a reused one ends its whole session',
        request: jsonBody(refreshRequestSchema),
        responses: { 200: json(authResultSchema, 'A new access token and the next refresh token'), ...errorResponses(400, 401, 422) },
      });
      openapi.registerPath({
        method: 'post', path: '/auth/logout', tags,
        summary: "End the refresh token's session (idempotent)",
        request: jsonBody(refreshRequestSchema),
        responses: { 204: { description: 'Logged out' }, ...errorResponses(400, 422) },
      });
      openapi.registerPath({
        method: 'get', path: '/.well-known/jwks.json', tags,
        summary: 'Public keys that verify access tokens (ES256)',
        responses: { 200: json(z.object({ keys: z.array(z.record(z.string(), z.unknown())) }), 'The JSON Web Key Set') },
      });
    },
  };
}
