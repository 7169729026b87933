import { z } from 'zod';
import type { IdentityService } from '../../auth/identity-service.js';
import { requestInfo } from '../request-info.js';
import { NO_STORE } from '../responses.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { loginRequestSchema, refreshRequestSchema, signupRequestSchema } from './auth-schemas.js';
import { authResultSchema, authResultView } from './auth-views.js';

const tags = ['auth'];

/**
 * Signup, login, refresh, logout and the JWKS: the routes that establish
 * who someone is, so none of them reads a credential header (a public module).
 */
export function authApi(identity: IdentityService): RouteModule {
  return routeModule('auth', [
    defineRoute({
      method: 'post', path: '/auth/signup', tags, auth: 'none',
      summary: 'Create an account: a new tenant whose admin you are, or with invitationToken a member of the inviting tenant',
      request: { body: signupRequestSchema },
      responses: { 201: { schema: authResultSchema, description: 'Signed up and logged in' } },
      errors: [404, 409, 429],
      async handler({ body, req }) {
        const { displayName, invitationToken, ...credentials } = body;
        const input = { ...credentials, ...(displayName === undefined ? {} : { displayName }), ...(invitationToken === undefined ? {} : { invitationToken }) };
        const result = await identity.signup(input, requestInfo(req));
        return { status: 201, body: authResultView(result), headers: NO_STORE };
      },
    }),
    defineRoute({
      method: 'post', path: '/auth/login', tags, auth: 'none',
      summary: 'Log in with email and password (one answer for an unknown email and a wrong password)',
      request: { body: loginRequestSchema },
      responses: { 200: { schema: authResultSchema, description: 'Logged in' } },
      errors: [401, 429],
      async handler({ body, req }) {
        return { status: 200, body: authResultView(await identity.login(body, requestInfo(req))), headers: NO_STORE };
      },
    }),
    defineRoute({
      method: 'post', path: '/auth/refresh', tags, auth: 'none',
      summary: 'Rotate the refresh token; a reused one ends its whole session',
      request: { body: refreshRequestSchema },
      responses: { 200: { schema: authResultSchema, description: 'A new access token and the next refresh token' } },
      errors: [401],
      async handler({ body }) {
        return { status: 200, body: authResultView(await identity.refresh(body.refreshToken)), headers: NO_STORE };
      },
    }),
    defineRoute({
      method: 'post', path: '/auth/logout', tags, auth: 'none',
      summary: "End the refresh token's session (idempotent)",
      request: { body: refreshRequestSchema },
      responses: { 204: { description: 'Logged out' } },
      async handler({ body }) {
        await identity.logout(body.refreshToken);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get', path: '/.well-known/jwks.json', tags, auth: 'none',
      summary: 'Public keys that verify access tokens (ES256)',
      responses: { 200: { schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }), description: 'The JSON Web Key Set' } },
      async handler() {
        // Verifiers may cache for a while; a new key is added beside the old one, never swapped in at once.
        return { status: 200, body: await identity.jwks(), headers: { 'Cache-Control': 'public, max-age=300' } };
      },
    }),
  ]);
}
