import { z } from 'zod';
import type { IdentityService } from '../../auth/identity-service.js';
import type { OidcProviderConfig } from '../../infra/config/config.js';
import { DomainError } from '../../domain/shared/errors.js';
import { readCookie } from '../cookies.js';
import { NotFound, Unavailable } from '../errors.js';
import { requestInfo } from '../request-info.js';
import { NO_STORE, noStore } from '../responses.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { oidcLoginQuery, oidcCallbackQuery, oidcProviderParams } from './auth-schemas.js';
import { authResultSchema, authResultView } from './auth-views.js';

const oidcResultSchema = authResultSchema
  .extend({
    outcome: z.enum(['signed_up', 'linked', 'taken_over', 'logged_in']).meta({
      description:
        'taken_over: the identity (verified email) took over an account whose email was never verified; its password, sessions, API keys and pending invitations ended',
    }),
    returnTo: z.string().nullable().meta({ description: 'The path given to /login, for the front end to go to next' }),
  })
  .meta({ id: 'OidcLoginResult' });

const oidcProviderListSchema = z
  .object({ providers: z.array(z.object({ name: z.string(), loginPath: z.string().meta({ description: 'Where a browser goes to sign in; add ?returnTo=<path>' }) })) })
  .meta({ id: 'OidcProviderList' });

/**
 * Binds a login to the browser that started it. `__Host-`: only this
 * origin, over a secure connection, for every path, can set it (no
 * subdomain and no plain-http man in the middle can plant one). Browsers
 * take `http://localhost` and `http://127.0.0.1` as secure for this, so the
 * embedded default and the tests work over plain http there.
 */
export const OIDC_BROWSER_COOKIE = '__Host-chronicle-oidc';
const LOGIN_COOKIE_MAX_AGE_MS = 600_000;
const tags = ['auth'];

/**
 * Login through an OpenID Provider (code flow, PKCE, state, nonce, and a
 * cookie binding the callback to the browser that started it). The
 * callback answers JSON and never redirects with tokens in a URL, where
 * browser history, Referer headers and proxy logs would keep them. A front
 * end may register a page of its own as the redirect URI and pass the
 * query on to this callback with fetch; `returnTo` says where to go next.
 */
export function oidcApi(identity: IdentityService, providers: readonly OidcProviderConfig[]): RouteModule {
  const redirectUris = new Map(providers.map((provider) => [provider.name, provider.redirectUri] as const));
  const providerList = { providers: providers.map((provider) => ({ name: provider.name, loginPath: `/auth/oidc/${provider.name}/login` })) };
  return routeModule('auth-oidc', [
    defineRoute({
      method: 'get', path: '/auth/oidc/providers', tags, auth: 'none',
      summary: 'The sign-in providers configured in OIDC_PROVIDERS, for a sign-in page to offer',
      responses: { 200: { schema: oidcProviderListSchema, description: 'Possibly empty' } },
      handler: () => ({ status: 200, body: providerList }),
    }),
    defineRoute({
      method: 'get', path: '/auth/oidc/:provider/login', tags, auth: 'none',
      summary: 'Start a login at the provider named in OIDC_PROVIDERS: 302 to its authorization page',
      description: `Sets the \`${OIDC_BROWSER_COOKIE}\` cookie (HttpOnly, Secure, SameSite=Lax, 10 minutes); the callback must come from the same browser.`,
      request: { params: oidcProviderParams, query: oidcLoginQuery },
      responses: {
        302: { description: 'To the provider', headers: { 'Set-Cookie': { schema: { type: 'string' }, description: `${OIDC_BROWSER_COOKIE}=<binding>` } } },
      },
      errors: [404, 429, 503],
      async handler({ params, query, req, res }) {
        const started = await identity.oidcStart(params.provider, query.returnTo ?? null, readCookie(req, OIDC_BROWSER_COOKIE), requestInfo(req)).catch(providerDown);
        // Lax: sent on the provider's top-level redirect back to the callback, never on another site's subrequests.
        res.cookie(OIDC_BROWSER_COOKIE, started.browserBinding, { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: LOGIN_COOKIE_MAX_AGE_MS });
        noStore(res).redirect(302, started.authorizationUrl);
      },
    }),
    defineRoute({
      method: 'get', path: '/auth/oidc/:provider/callback', tags, auth: 'none',
      summary: 'Where the provider sends the browser back: completes the login',
      description:
        'Found by issuer and subject first. A new subject with a verified email links to the account with that email when its email is verified too, ' +
        'takes it over when it never was (see outcome), or signs up. 401 `oidc_failed` without the browser cookie set by /login; ' +
        '403 `email_not_verified` when the provider did not verify the email; 409 `external_identity_conflict` when the account holds another subject of the same issuer.',
      request: { params: oidcProviderParams, query: oidcCallbackQuery },
      responses: { 200: { schema: oidcResultSchema, description: 'Logged in' } },
      errors: [401, 403, 404, 409],
      async handler({ params, req }) {
        const redirectUri = redirectUris.get(params.provider);
        if (!redirectUri) throw new NotFound('no such sign-in provider', { code: 'oidc_provider_not_found' });
        // The registered redirect URI with the provider's query (all of it, not only what the schema checks), not one rebuilt from Host headers a proxy may have changed.
        const callbackUrl = new URL(redirectUri);
        callbackUrl.search = new URL(req.originalUrl, 'http://callback.invalid').search;
        const result = await identity.oidcComplete(params.provider, callbackUrl, readCookie(req, OIDC_BROWSER_COOKIE), requestInfo(req)).catch(providerDown);
        return { status: 200, body: { ...authResultView(result), outcome: result.outcome, returnTo: result.returnTo }, headers: NO_STORE };
      },
    }),
  ]);
}

/** The services' own errors keep their meaning; anything else is the provider's discovery or token endpoint failing. */
function providerDown(error: unknown): never {
  if (error instanceof DomainError) throw error;
  throw new Unavailable('the sign-in provider cannot be reached', { code: 'oidc_provider_unavailable', cause: error });
}
