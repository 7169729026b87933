import { normaliseEmail } from '../../domain/email/email-address.js';
import { ForbiddenError, NotFoundError } from '../../domain/shared/errors.js';
import type { ExternalIdentityClaims } from '../../domain/user/commands.js';
import type { ActiveUser } from '../../domain/user/state.js';
import { userStream } from '../../domain/user/streams.js';
import { userAggregate } from '../../commands/aggregates.js';
import { AuthenticationError } from '../errors.js';
import type { IdentityDeps } from '../identity/identity-deps.js';
import { ANONYMOUS_ACTOR, commandContext, type RequestInfo } from '../identity/request-info.js';
import { ensureOperator, startSession, type AuthResult } from '../identity/session-issuer.js';
import type { OidcClient, VerifiedClaims } from './oidc-client.js';
import type { PendingLoginStore } from './pending-logins.js';

export interface OidcLoginResult extends AuthResult {
  /** Where the browser wanted to go when the login started. */
  returnTo: string | null;
  outcome: 'signed_up' | 'linked' | 'logged_in';
}

/**
 * Login through an OpenID Provider. A known (issuer, subject) logs in; a
 * verified email of an existing account links to it; a verified new email
 * signs up (a new tenant, method oidc). An unverified email never links and
 * never signs up: anyone can claim any address at some provider.
 */
export class OidcLogin {
  constructor(
    private readonly deps: IdentityDeps,
    private readonly clients: ReadonlyMap<string, OidcClient>,
    private readonly pending: PendingLoginStore,
    private readonly loginTtlSeconds = 600,
  ) {}

  async start(provider: string, returnTo: string | null = null): Promise<{ authorizationUrl: string }> {
    const request = await this.client(provider).authorizationRequest();
    const expiresAt = new Date(this.deps.runtime.now().getTime() + this.loginTtlSeconds * 1000);
    await this.pending.save({ state: request.state, provider, codeVerifier: request.codeVerifier, nonce: request.nonce, returnTo, expiresAt });
    return { authorizationUrl: request.url.href };
  }

  /** `callbackUrl` is the full URL the provider redirected the browser to. */
  async complete(provider: string, callbackUrl: URL, request: RequestInfo): Promise<OidcLoginResult> {
    const client = this.client(provider);
    const state = callbackUrl.searchParams.get('state');
    const pending = state ? await this.pending.take(state, provider, this.deps.runtime.now()) : undefined;
    if (!pending) throw new AuthenticationError('the sign-in expired or was already used; start again', { code: 'oidc_failed' });
    const claims = await client.complete(callbackUrl, pending);
    const identity: ExternalIdentityClaims = { provider, issuer: claims.issuer, subject: claims.subject, email: claims.email, emailVerified: claims.emailVerified };
    const email = claims.email ? normaliseEmail(claims.email) : null;
    const existing = email ? await this.deps.directory.findUserByEmail(email) : undefined;
    const { user, outcome } = existing ? await this.linkOrLogin(existing, identity, request) : await this.signUp(email, claims, identity, request);
    const result = await startSession(this.deps, await ensureOperator(this.deps, user, request), { method: 'oidc', provider }, request);
    return { ...result, returnTo: pending.returnTo, outcome };
  }

  private async linkOrLogin(user: ActiveUser, identity: ExternalIdentityClaims, request: RequestInfo) {
    if (user.identities.some((known) => known.issuer === identity.issuer && known.subject === identity.subject)) {
      return { user, outcome: 'logged_in' as const };
    }
    if (!identity.emailVerified) throw unverified();
    const linked = await this.deps.handler.handle(userAggregate, userStream(user.userId), { type: 'LinkExternalIdentity', data: identity }, {
      context: commandContext(this.deps.runtime, request, ANONYMOUS_ACTOR, user.tenantId),
    });
    if (linked.state.status !== 'Active') throw new Error('linking left the user inactive');
    return { user: linked.state, outcome: 'linked' as const };
  }

  private async signUp(email: string | null, claims: VerifiedClaims, identity: ExternalIdentityClaims, request: RequestInfo) {
    if (!email || !identity.emailVerified) throw unverified();
    const tenantId = this.deps.runtime.newId();
    const { user } = await this.deps.saga.run(
      {
        userId: this.deps.runtime.newId(),
        email,
        displayName: claims.name ?? '',
        method: 'oidc',
        tenant: { kind: 'new', tenantId, tenantName: `${claims.name ?? email}'s workspace` },
        externalIdentity: { ...identity, email },
        extraRoles: this.deps.settings.operatorEmails.includes(email) ? ['operator'] : [],
      },
      commandContext(this.deps.runtime, request, ANONYMOUS_ACTOR, tenantId),
    );
    return { user, outcome: 'signed_up' as const };
  }

  private client(provider: string): OidcClient {
    const client = this.clients.get(provider);
    if (!client) throw new NotFoundError('no such sign-in provider', { code: 'oidc_provider_not_found' });
    return client;
  }
}

function unverified(): ForbiddenError {
  return new ForbiddenError('the provider did not confirm this email address', { code: 'email_not_verified' });
}
