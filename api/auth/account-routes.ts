import { z } from 'zod';
import type { IdentityService } from '../../auth/identity-service.js';
import { requireUser } from '../../auth/policies.js';
import { accessClaimsOf } from '../authentication.js';
import { Unauthorized } from '../errors.js';
import { errorResponses } from '../openapi.js';
import { requirePrincipal } from '../principal.js';
import type { RouteModule } from '../route-module.js';
import { parseBody, parseRequestPart } from '../validate.js';
import { changePasswordRequestSchema, sessionParams } from './auth-schemas.js';
import { claimsSchema, claimsView, json, jsonBody, sessionView, sessionViewSchema, userViewSchema } from './auth-views.js';
import { requestInfo } from './request-info.js';

const verifyResultSchema = z
  .discriminatedUnion('kind', [
    claimsSchema.extend({ kind: z.literal('user') }),
    z.object({ kind: z.literal('apiKey'), keyId: z.string(), tenantId: z.string() }),
  ])
  .meta({ id: 'VerifiedCredential' });

/** The signed-in user's own account: who am I, is my token good, my sessions, my password. */
export function accountApi(identity: IdentityService): RouteModule {
  return {
    name: 'auth-account',
    register({ router, openapi }) {
      router.get('/auth/me', async (_req, res) => {
        const user = await identity.me(requireUser(requirePrincipal(res)));
        res.json({ ...user, roles: [...user.roles] });
      });

      // The authentication middleware has already verified the credential; a bad one never gets here (401).
      router.get('/auth/verify', (_req, res) => {
        const principal = requirePrincipal(res);
        if (principal.kind === 'apiKey') {
          res.json({ kind: 'apiKey', keyId: principal.keyId, tenantId: principal.tenantId });
          return;
        }
        const claims = accessClaimsOf(res);
        if (!claims) throw new Unauthorized('this needs an access token', { code: 'unauthenticated' });
        res.json({ kind: 'user', ...claimsView(claims) });
      });

      router.get('/auth/sessions', async (_req, res) => {
        const user = requireUser(requirePrincipal(res));
        const sessions = await identity.listSessions(user);
        res.json({ items: sessions.map((session) => sessionView(session, user.sessionId)) });
      });

      router.delete('/auth/sessions/:id', async (req, res) => {
        const user = requireUser(requirePrincipal(res));
        const { id } = parseRequestPart(sessionParams, req.params, 'path');
        await identity.endSession(user, id);
        res.status(204).end();
      });

      router.post('/auth/verify-email/resend', async (req, res) => {
        await identity.resendVerification(requireUser(requirePrincipal(res)), requestInfo(req));
        res.status(202).end();
      });

      router.post('/auth/password', async (req, res) => {
        const user = requireUser(requirePrincipal(res));
        await identity.changePassword(user, parseBody(changePasswordRequestSchema, req), requestInfo(req));
        res.status(204).end();
      });

      const tags = ['auth'];
      const security = [{ bearerAuth: [] }];
      openapi.registerPath({
        method: 'get', path: '/auth/me', tags, security,
        summary: 'The signed-in user as the event log knows them now',
        responses: { 200: json(userViewSchema, 'The user'), ...errorResponses(401, 403) },
      });
      openapi.registerPath({
        method: 'get', path: '/auth/verify', tags, security: [{ bearerAuth: [] }, { apiKey: [] }],
        summary: "Check a credential: an access token's claims (its session still open), or an API key's identity",
        responses: { 200: json(verifyResultSchema, 'The credential is valid'), ...errorResponses(401, 429) },
      });
      openapi.registerPath({
        method: 'get', path: '/auth/sessions', tags, security,
        summary: "The user's open sessions (one per device or login), newest first",
        responses: { 200: json(z.object({ items: z.array(sessionViewSchema) }), 'The sessions'), ...errorResponses(401, 403) },
      });
      openapi.registerPath({
        method: 'delete', path: '/auth/sessions/{id}', tags, security,
        summary: 'End one of your sessions: its refresh token stops working and its access tokens at once',
        request: { params: sessionParams },
        responses: { 204: { description: 'Ended' }, ...errorResponses(400, 401, 403, 404) },
      });
      openapi.registerPath({
        method: 'post', path: '/auth/verify-email/resend', tags, security,
        summary: 'Mail a new verification link (earlier links stop working); limited by RATE_LIMIT_VERIFY_EMAIL_RESEND_PER_USER',
        responses: { 202: { description: 'A link is on its way' }, ...errorResponses(401, 403, 409, 429) },
      });
      openapi.registerPath({
        method: 'post', path: '/auth/password', tags, security,
        summary: 'Change your password; every other session ends',
        description: 'The current password counts against the account\'s password attempts, as a login does (RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT).',
        request: jsonBody(changePasswordRequestSchema),
        responses: { 204: { description: 'Changed' }, ...errorResponses(400, 401, 403, 422, 429) },
      });
    },
  };
}
