import type { IdentityService } from '../../auth/identity-service.js';
import { PASSWORD_RESET_PAGE } from '../../auth/identity/password-reset.js';
import { VERIFY_EMAIL_PAGE } from '../../auth/identity/email-verification.js';
import { errorResponses } from '../openapi.js';
import type { RouteModule } from '../route-module.js';
import { parseBody } from '../validate.js';
import { passwordResetConfirmSchema, passwordResetRequestSchema, verifyEmailRequestSchema } from './auth-schemas.js';
import { json, jsonBody, noStore, userViewSchema } from './auth-views.js';
import { passwordResetPage, sendPage, verifyEmailPage } from './email-pages.js';
import { requestInfo } from './request-info.js';

/**
 * What the links in identity's mail lead to: confirming an address and
 * resetting a password. Public: the link may be opened on any device,
 * signed in or not. (Asking for a new verification mail needs a session:
 * see the account routes.)
 */
export function emailApi(identity: IdentityService): RouteModule {
  return {
    name: 'auth-email',
    public: true,
    register({ router, openapi }) {
      router.get(VERIFY_EMAIL_PAGE, (_req, res) => sendPage(res, verifyEmailPage));
      router.get(PASSWORD_RESET_PAGE, (_req, res) => sendPage(res, passwordResetPage));

      router.post('/auth/verify-email', async (req, res) => {
        const { token } = parseBody(verifyEmailRequestSchema, req);
        const user = await identity.verifyEmail(token, requestInfo(req));
        res.json({ ...user, roles: [...user.roles] });
      });

      router.post('/auth/password-reset', async (req, res) => {
        await identity.requestPasswordReset(parseBody(passwordResetRequestSchema, req), requestInfo(req));
        res.status(202).end();
      });

      router.post('/auth/password-reset/confirm', async (req, res) => {
        await identity.confirmPasswordReset(parseBody(passwordResetConfirmSchema, req), requestInfo(req));
        noStore(res).status(204).end();
      });

      const tags = ['auth'];
      const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' as const } } } });
      openapi.registerPath({
        method: 'get', path: VERIFY_EMAIL_PAGE, tags,
        summary: 'The page the verification link opens (`#token=` in the fragment); a button POSTs the token',
        responses: { 200: html('The page') },
      });
      openapi.registerPath({
        method: 'get', path: PASSWORD_RESET_PAGE, tags,
        summary: 'The page the reset link opens (`#token=` in the fragment): choose a new password; without a token, ask for a link',
        responses: { 200: html('The page') },
      });
      openapi.registerPath({
        method: 'post', path: '/auth/verify-email', tags,
        summary: 'Confirm the email with the token from the verification mail (used once); proving an address in OPERATOR_EMAILS grants operator',
        request: jsonBody(verifyEmailRequestSchema),
        responses: { 200: json(userViewSchema, 'Verified: the user as now known'), ...errorResponses(400, 422) },
      });
      openapi.registerPath({
        method: 'post', path: '/auth/password-reset', tags,
        summary: 'Ask for a password reset link by mail: 202 whether or not the address has an account',
        description:
          'The link works once, for PASSWORD_RESET_TTL_SECONDS (15 minutes). Beyond RATE_LIMIT_PASSWORD_RESET_PER_EMAIL an address gets no more mail (the answer is the same); ' +
          'beyond RATE_LIMIT_PASSWORD_RESET_PER_IP the caller gets 429.',
        request: jsonBody(passwordResetRequestSchema),
        responses: { 202: { description: 'Accepted; a link is mailed if the address has an account' }, ...errorResponses(400, 422, 429) },
      });
      openapi.registerPath({
        method: 'post', path: '/auth/password-reset/confirm', tags,
        summary: "Set a new password with the reset link's token (used once); every session of the user ends",
        description: 'The link proves the address: an account whose email was never verified is verified now, and whatever its creator issued (sessions, API keys, pending invitations) ends.',
        request: jsonBody(passwordResetConfirmSchema),
        responses: { 204: { description: 'The password is set' }, ...errorResponses(400, 422) },
      });
    },
  };
}
