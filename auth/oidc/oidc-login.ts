import { normaliseEmail } from '../../domain/email/email-address.js';
import { externalIdentityStream } from '../../domain/external-identity/external-identity-reservation.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../domain/shared/errors.js';
import type { ExternalIdentityClaims, UserCommand } from '../../domain/user/commands.js';
import type { ActiveUser } from '../../domain/user/state.js';
import { userStream } from '../../domain/user/streams.js';
import { externalIdentityReservationAggregate, userAggregate } from '../../commands/identity/aggregates.js';
import { AuthenticationError } from '../errors.js';
import { endUnprovenAccess } from '../identity/account-claim.js';
import type { IdentityDeps } from '../identity/identity-deps.js';
import { ANONYMOUS_ACTOR, type RequestInfo } from '../identity/request-info.js';
import { commandContext } from '../../commands/metadata.js';
import { ensureOperator, startSession, type AuthResult } from '../identity/session-issuer.js';
import { browserBindingMatches, hashBrowserBinding, isBrowserBinding, newBrowserBinding } from './browser-binding.js';
import type { OidcClient } from './oidc-client.js';
import type { PendingLoginStore } from './pending-logins.js';

/**
 * - `signed_up`: a first login made a new account (and tenant);
 * - `linked`: the identity joined the account with its (verified) email;
 * - `taken_over`: the identity took over an account whose email was never
 *   verified, ending everything its unproven password had issued;
 * - `logged_in`: the identity was known.
 */
export type OidcOutcome = 'signed_up' | 'linked' | 'taken_over' | 'logged_in';

export interface OidcLoginResult extends AuthResult {
  /** Where the browser wanted to go when the login started. */
  returnTo: string | null;
  outcome: OidcOutcome;
}

export interface OidcLoginStart {
  authorizationUrl: string;
  /** For the starting browser's cookie; the callback must present it again. */
  browserBinding: string;
}

/**
 * Login through an OpenID Provider. A user is found by (issuer, subject)
 * first: the identifier the issuer never reassigns. Only a subject never
 * seen before is matched by email, and then only a verified email, only
 * into an account no other subject of the same issuer holds:
 *
 * - the account's email is verified too: the identity is linked;
 * - the account's email was never verified: the identity takes the account
 *   over (its password removed; its sessions, API keys and pending
 *   invitations ended), because whoever signed up with the address may not
 *   own it (pre-account-takeover), while the provider says this person does;
 * - no account: a new one (and tenant).
 * An unverified email never links and never signs up.
 */
export class OidcLogin {
  constructor(
    private readonly deps: IdentityDeps,
    private readonly clients: ReadonlyMap<string, OidcClient>,
    private readonly pending: PendingLoginStore,
    private readonly loginTtlSeconds = 600,
  ) {}

  /** `browserBinding`: the value the browser's cookie already holds, kept so logins in two tabs both complete. */
  /** Limited per IP (each start stores a pending login), counted once the provider is known and before it is asked anything. */
  async start(provider: string, returnTo: string | null, browserBinding: string | null, requestInfo: RequestInfo): Promise<OidcLoginStart> {
    const client = this.client(provider);
    await this.deps.limits.beforeOidcLogin(requestInfo);
    const request = await client.authorizationRequest();
    const binding = isBrowserBinding(browserBinding) ? browserBinding : newBrowserBinding();
    const expiresAt = new Date(this.deps.runtime.now().getTime() + this.loginTtlSeconds * 1000);
    await this.pending.save({
      state: request.state,
      provider,
      codeVerifier: request.codeVerifier,
      nonce: request.nonce,
      returnTo,
      expiresAt,
      browserBindingHash: hashBrowserBinding(binding),
    });
    return { authorizationUrl: request.url.href, browserBinding: binding };
  }

  /** `callbackUrl` is the full URL the provider redirected the browser to; `browserBinding` the value of its cookie. */
  async complete(provider: string, callbackUrl: URL, browserBinding: string | null, request: RequestInfo): Promise<OidcLoginResult> {
    const client = this.client(provider);
    const state = callbackUrl.searchParams.get('state');
    const pending = state ? await this.pending.take(state, provider, this.deps.runtime.now()) : undefined;
    if (!pending) throw new AuthenticationError('the sign-in expired or was already used; start again', { code: 'oidc_failed' });
    // Taken (deleted) before this check: a callback that reached the wrong browser is spent, not left for a second try.
    if (!browserBindingMatches(pending.browserBindingHash, browserBinding)) {
      throw new AuthenticationError('the sign-in was started in another browser; start again here', { code: 'oidc_failed' });
    }
    const claims = await client.complete(callbackUrl, pending);
    const identity: ExternalIdentityClaims = {
      provider,
      issuer: claims.issuer,
      subject: claims.subject,
      email: claims.email ? normaliseEmail(claims.email) : null,
      emailVerified: claims.emailVerified,
    };
    const { user, outcome } = await this.resolve(identity, claims.name, request);
    const result = await startSession(this.deps, await ensureOperator(this.deps, user, request), { method: 'oidc', provider }, request);
    return { ...result, returnTo: pending.returnTo, outcome };
  }

  private async resolve(identity: ExternalIdentityClaims, name: string | null, request: RequestInfo): Promise<{ user: ActiveUser; outcome: OidcOutcome }> {
    const known = await this.deps.directory.findUserByExternalIdentity(identity.issuer, identity.subject);
    if (known) return this.returning(known, identity, request);
    const holder = identity.email ? await this.deps.directory.findUserByEmail(identity.email) : undefined;
    if (!holder) return this.signUp(identity, name, request);
    if (hasIdentity(holder, identity)) {
      // Linked before (issuer, subject) were reserved: reserve now, and carry on as a known identity.
      await this.reserve(identity, holder, request);
      return this.returning(holder, identity, request);
    }
    if (!identity.emailVerified) throw unverified();
    if (holder.identities.some((known) => known.issuer === identity.issuer)) {
      throw new ConflictError('this email belongs to an account linked to another identity at this provider', { code: 'external_identity_conflict' });
    }
    await this.reserve(identity, holder, request);
    if (holder.emailVerified) return { user: await this.apply(holder, { type: 'LinkExternalIdentity', data: identity }, request), outcome: 'linked' };
    return { user: await this.claim(holder, identity, request), outcome: 'taken_over' };
  }

  /**
   * A subject seen before. Its reservation may have outlived a crash before
   * the account changed (then the link or the claim happens now), and an
   * account linked before these rules may still be unverified (then a
   * provider that vouches for the address verifies it, and takes over a
   * password account as a first login would have).
   */
  private async returning(user: ActiveUser, identity: ExternalIdentityClaims, request: RequestInfo): Promise<{ user: ActiveUser; outcome: OidcOutcome }> {
    const proves = !user.emailVerified && identity.emailVerified && identity.email === user.email;
    if (proves && user.signUpMethod === 'password') return { user: await this.claim(user, identity, request), outcome: 'taken_over' };
    let current = user;
    if (proves) current = await this.apply(current, { type: 'VerifyEmail', data: { email: user.email, method: 'provider', operatorListed: this.listed(user.email) } }, request);
    if (!hasIdentity(current, identity)) current = await this.apply(current, { type: 'LinkExternalIdentity', data: identity }, request);
    return { user: current, outcome: 'logged_in' };
  }

  private async claim(user: ActiveUser, identity: ExternalIdentityClaims, request: RequestInfo): Promise<ActiveUser> {
    await endUnprovenAccess(this.deps, user, 'remove', request);
    return this.apply(user, { type: 'ClaimWithExternalIdentity', data: { identity, operatorListed: this.listed(user.email) } }, request);
  }

  private async signUp(identity: ExternalIdentityClaims, name: string | null, request: RequestInfo): Promise<{ user: ActiveUser; outcome: OidcOutcome }> {
    const email = identity.email;
    if (!email || !identity.emailVerified) throw unverified();
    const tenantId = this.deps.runtime.newId();
    const { user } = await this.deps.saga.run(
      {
        userId: this.deps.runtime.newId(),
        email,
        displayName: name ?? '',
        method: 'oidc',
        tenant: { kind: 'new', tenantId, tenantName: `${name ?? email}'s workspace` },
        externalIdentity: identity,
        // The provider has verified the address, so OPERATOR_EMAILS applies at once.
        extraRoles: this.listed(email) ? ['operator'] : [],
      },
      commandContext(this.deps.runtime, request, ANONYMOUS_ACTOR, tenantId),
    );
    // After the account: a crash in between leaves an account with the identity linked, which the email lookup finds and reserves.
    await this.reserve(identity, user, request);
    return { user, outcome: 'signed_up' };
  }

  private async reserve(identity: ExternalIdentityClaims, user: ActiveUser, request: RequestInfo): Promise<void> {
    const { issuer, subject } = identity;
    await this.deps.handler.handle(
      externalIdentityReservationAggregate,
      externalIdentityStream(issuer, subject),
      { type: 'ReserveExternalIdentity', data: { issuer, subject, userId: user.userId } },
      { context: commandContext(this.deps.runtime, request, ANONYMOUS_ACTOR, user.tenantId) },
    );
  }

  private async apply(user: ActiveUser, command: UserCommand, request: RequestInfo): Promise<ActiveUser> {
    const result = await this.deps.handler.handle(userAggregate, userStream(user.userId), command, {
      context: commandContext(this.deps.runtime, request, ANONYMOUS_ACTOR, user.tenantId),
    });
    if (result.state.status !== 'Active') throw new Error(`${command.type} left the user inactive`);
    return result.state;
  }

  private listed(email: string): boolean {
    return this.deps.settings.operatorEmails.includes(email);
  }

  private client(provider: string): OidcClient {
    const client = this.clients.get(provider);
    if (!client) throw new NotFoundError('no such sign-in provider', { code: 'oidc_provider_not_found' });
    return client;
  }
}

function hasIdentity(user: ActiveUser, identity: ExternalIdentityClaims): boolean {
  return user.identities.some((known) => known.issuer === identity.issuer && known.subject === identity.subject);
}

function unverified(): ForbiddenError {
  return new ForbiddenError('the provider did not confirm this email address', { code: 'email_not_verified' });
}
