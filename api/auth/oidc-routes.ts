import { z } from 'zod';
import type { IdentityService } from '../../auth/identity-service.js';
import type { OidcProviderConfig } from '../../infra/config/config.js';
import { DomainError } from '../../domain/shared/errors.js';
import { NotFound, Unavailable } from '../errors.js';
import { errorResponses } from '../openapi.js';
import type { RouteModule } from '../route-module.js';
import { parseRequestPart } from '../validate.js';
import { oidcLoginQuery, oidcProviderParams } from './auth-schemas.js';
import { authResultSchema, authResultView, json, noStore } from './auth-views.js';
import { requestInfo } from './request-info.js';

const oidcResultSchema = authResultSchema
  .extend({
    outcome: z.enum(['signed_up', 'linked', 'logged_in']),
    returnTo: z.string().nullable().meta({ description: 'The path given to /login, for the front end to go to next' }),
  })
  .meta({ id: 'OidcLoginResult' });

/**
 * Login through an OpenID Provider (code flow, PKCE, state, nonce). The
 * callback answers JSON and never redirects with tokens in a URL, where
 * browser history, Referer headers and proxy logs would keep them. A front
 * end may register a page of its own as the redirect URI and pass the
 * query on to this callback with fetch; `returnTo` says where to go next.
 */
export function oidcApi(identity: IdentityService, providers: readonly OidcProviderConfig[]): RouteModule {
  const redirectUris = new Map(providers.map((provider) => [provider.name, provider.redirectUri] as const));
  return {
    name: 'auth-oidc',
    public: true,
    register({ router, openapi }) {
      router.get('/auth/oidc/:provider/login', async (req, res) => {
        const { provider } = parseRequestPart(oidcProviderParams, req.params, 'path');
        const { returnTo } = parseRequestPart(oidcLoginQuery, req.query, 'query');
        const { authorizationUrl } = await identity.oidcStart(provider, returnTo ?? null).catch(providerDown);
        noStore(res).redirect(302, authorizationUrl);
      });

      router.get('/auth/oidc/:provider/callback', async (req, res) => {
        const { provider } = parseRequestPart(oidcProviderParams, req.params, 'path');
        const redirectUri = redirectUris.get(provider);
        if (!redirectUri) throw new NotFound('no such sign-in provider', { code: 'oidc_provider_not_found' });
        // The registered redirect URI with the provider's query, not one rebuilt from Host headers a proxy may have changed.
        const callbackUrl = new URL(redirectUri);
        callbackUrl.search = new URL(req.originalUrl, 'http://callback.invalid').search;
        const result = await identity.oidcComplete(provider, callbackUrl, requestInfo(req)).catch(providerDown);
        noStore(res).json({ ...authResultView(result), outcome: result.outcome, returnTo: result.returnTo });
      });

      const tags = ['auth'];
      openapi.registerPath({
        method: 'get', path: '/auth/oidc/{provider}/login', tags,
        summary: "Start a login at the provider named in OIDC_PROVIDERS: 302 to its authorization page",
        request: { params: oidcProviderParams, query: oidcLoginQuery },
        responses: { 302: { description: 'To the provider' }, ...errorResponses(400, 404, 503) },
      });
      openapi.registerPath({
        method: 'get', path: '/auth/oidc/{provider}/callback', tags,
        summary: 'Where the provider sends the browser back: completes the login (first login signs up; a verified email links)',
        request: { params: oidcProviderParams },
        responses: { 200: json(oidcResultSchema, 'Logged in'), ...errorResponses(400, 401, 403, 404) },
      });
    },
  };
}

/** The services' own errors keep their meaning; anything else is the provider's discovery or token endpoint failing. */
function providerDown(error: unknown): never {
  if (error instanceof DomainError) throw error;
  throw new Unavailable('the sign-in provider cannot be reached', { code: 'oidc_provider_unavailable', cause: error });
}
