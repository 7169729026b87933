import { z } from 'zod';
import type { IdentityService } from '../../auth/identity-service.js';
import { PASSWORD_RESET_PAGE } from '../../auth/identity/password-reset.js';
import { VERIFY_EMAIL_PAGE } from '../../auth/identity/email-verification.js';
import { requestInfo } from '../request-info.js';
import { NO_STORE } from '../responses.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { passwordResetConfirmSchema, passwordResetRequestSchema, verifyEmailRequestSchema } from './auth-schemas.js';
import { userViewSchema } from './auth-views.js';
import { passwordResetPage, sendPage, verifyEmailPage } from './email-pages.js';

const tags = ['auth'];
const page = { 200: { schema: z.string(), contentType: 'text/html', description: 'The page' } };

/**
 * What the links in identity's mail lead to: confirming an address and
 * resetting a password. Public: the link may be opened on any device,
 * signed in or not. (Asking for a new verification mail needs a session:
 * see the account routes.)
 */
export function emailApi(identity: IdentityService): RouteModule {
  return routeModule('auth-email', [
    defineRoute({
      method: 'get', path: VERIFY_EMAIL_PAGE, tags, auth: 'none',
      summary: 'The page the verification link opens (`#token=` in the fragment); a button POSTs the token',
      responses: page,
      handler: ({ res }) => sendPage(res, verifyEmailPage),
    }),
    defineRoute({
      method: 'get', path: PASSWORD_RESET_PAGE, tags, auth: 'none',
      summary: 'The page the reset link opens (`#token=` in the fragment): choose a new password; without a token, ask for a link',
      responses: page,
      handler: ({ res }) => sendPage(res, passwordResetPage),
    }),
    defineRoute({
      method: 'post', path: '/auth/verify-email', tags, auth: 'none',
      summary: 'Confirm the email with the token from the verification mail (used once); proving an address in OPERATOR_EMAILS grants operator',
      request: { body: verifyEmailRequestSchema },
      responses: { 200: { schema: userViewSchema, description: 'Verified: the user as now known' } },
      async handler({ body, req }) {
        const user = await identity.verifyEmail(body.token, requestInfo(req));
        return { status: 200, body: { ...user, roles: [...user.roles] } };
      },
    }),
    defineRoute({
      method: 'post', path: '/auth/password-reset', tags, auth: 'none',
      summary: 'Ask for a password reset link by mail: 202 whether or not the address has an account',
      description:
        'The link works once, for PASSWORD_RESET_TTL_SECONDS (15 minutes). Beyond RATE_LIMIT_PASSWORD_RESET_PER_EMAIL an address gets no more mail (the answer is the same); ' +
        'beyond RATE_LIMIT_PASSWORD_RESET_PER_IP the caller gets 429.',
      request: { body: passwordResetRequestSchema },
      responses: { 202: { description: 'Accepted; a link is mailed if the address has an account' } },
      errors: [429],
      async handler({ body, req }) {
        await identity.requestPasswordReset(body, requestInfo(req));
        return { status: 202 };
      },
    }),
    defineRoute({
      method: 'post', path: '/auth/password-reset/confirm', tags, auth: 'none',
      summary: "Set a new password with the reset link's token (used once); every session of the user ends",
      description:
        'The link proves the address: an account whose email was never verified is verified now, and whatever its creator issued (sessions, API keys, pending invitations) ends.',
      request: { body: passwordResetConfirmSchema },
      responses: { 204: { description: 'The password is set' } },
      async handler({ body, req }) {
        await identity.confirmPasswordReset(body, requestInfo(req));
        return { status: 204, headers: NO_STORE };
      },
    }),
  ]);
}
