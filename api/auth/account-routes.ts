import { z } from 'zod';
import type { IdentityService } from '../../auth/identity-service.js';
import { requireUser } from '../../auth/policies.js';
import { apiKeyScopeSchema } from '../../domain/tenant/api-key-scopes.js';
import { accessClaimsOf } from '../authentication.js';
import { Unauthorized } from '../errors.js';
import { requestInfo } from '../request-info.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { changePasswordRequestSchema, sessionParams } from './auth-schemas.js';
import { claimsSchema, claimsView, sessionView, sessionViewSchema, userViewSchema } from './auth-views.js';

const verifyResultSchema = z
  .discriminatedUnion('kind', [
    claimsSchema.extend({ kind: z.literal('user') }),
    z.object({ kind: z.literal('apiKey'), keyId: z.string(), tenantId: z.string(), scopes: z.array(apiKeyScopeSchema) }),
  ])
  .meta({ id: 'VerifiedCredential' });

const tags = ['auth'];

/** The signed-in user's own account: who am I, is my token good, my sessions, my password. */
export function accountApi(identity: IdentityService): RouteModule {
  return routeModule('auth-account', [
    defineRoute({
      method: 'get', path: '/auth/me', tags, auth: 'required',
      summary: 'The signed-in user as the event log knows them now',
      responses: { 200: { schema: userViewSchema, description: 'The user' } },
      errors: [403],
      async handler({ principal }) {
        const user = await identity.me(requireUser(principal));
        return { status: 200, body: { ...user, roles: [...user.roles] } };
      },
    }),
    defineRoute({
      method: 'get', path: '/auth/verify', tags, auth: 'required', apiKey: true,
      summary: "Check a credential: an access token's claims (its session still open), or an API key's identity and scopes (a key needs `admin`)",
      responses: { 200: { schema: verifyResultSchema, description: 'The credential is valid' } },
      errors: [429],
      // The authentication middleware has already verified the credential; a bad one never gets here (401).
      handler({ principal, res }) {
        if (principal.kind === 'apiKey') {
          return { status: 200, body: { kind: 'apiKey' as const, keyId: principal.keyId, tenantId: principal.tenantId, scopes: [...principal.scopes] } };
        }
        const claims = accessClaimsOf(res);
        if (!claims) throw new Unauthorized('this needs an access token', { code: 'unauthenticated' });
        return { status: 200, body: { kind: 'user' as const, ...claimsView(claims) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/auth/sessions', tags, auth: 'required',
      summary: "The user's open sessions (one per device or login), newest first",
      responses: { 200: { schema: z.object({ items: z.array(sessionViewSchema) }), description: 'The sessions' } },
      errors: [403],
      async handler({ principal }) {
        const user = requireUser(principal);
        const sessions = await identity.listSessions(user);
        return { status: 200, body: { items: sessions.map((session) => sessionView(session, user.sessionId)) } };
      },
    }),
    defineRoute({
      method: 'delete', path: '/auth/sessions/:id', tags, auth: 'required',
      summary: 'End one of your sessions: its refresh token stops working and its access tokens at once',
      request: { params: sessionParams },
      responses: { 204: { description: 'Ended' } },
      errors: [403, 404],
      async handler({ principal, params }) {
        await identity.endSession(requireUser(principal), params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post', path: '/auth/verify-email/resend', tags, auth: 'required',
      summary: 'Mail a new verification link (earlier links stop working); limited by RATE_LIMIT_VERIFY_EMAIL_RESEND_PER_USER',
      responses: { 202: { description: 'A link is on its way' } },
      errors: [403, 409, 429],
      async handler({ principal, req }) {
        await identity.resendVerification(requireUser(principal), requestInfo(req));
        return { status: 202 };
      },
    }),
    defineRoute({
      method: 'post', path: '/auth/password', tags, auth: 'required',
      summary: 'Change your password; every other session ends',
      description: "The current password counts against the account's password attempts, as a login does (RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT).",
      request: { body: changePasswordRequestSchema },
      responses: { 204: { description: 'Changed' } },
      errors: [403, 429],
      async handler({ principal, body, req }) {
        await identity.changePassword(requireUser(principal), body, requestInfo(req));
        return { status: 204 };
      },
    }),
  ]);
}
