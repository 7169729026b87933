import type { TenantRole } from '../domain/user/roles.js';
import type { Principal, UserPrincipal } from './principal.js';
import type { ApiKeyInput, ApiKeyService } from './api-keys/api-key-service.js';
import { changePassword, endSession, listSessions } from './identity/account.js';
import { resendVerification, verifyEmail } from './identity/email-verification.js';
import type { IdentityDeps } from './identity/identity-deps.js';
import { confirmPasswordReset, requestPasswordReset } from './identity/password-reset.js';
import { inviteToTenant, revokeInvitation } from './identity/invitations.js';
import { loginWithPassword, signupWithPassword, type LoginInput, type SignupInput } from './identity/password-auth.js';
import type { RequestInfo } from './identity/request-info.js';
import { changeRole, type RoleChange } from './identity/roles.js';
import { authenticateAccessToken, logout, me, refreshSession } from './identity/token-auth.js';
import { disableUser, enableUser, endUserSessions } from './identity/user-admin.js';
import type { OidcLogin } from './oidc/oidc-login.js';
import type { RateLimitReport } from './rate-limit/limit-state.js';
import { jwksDocument } from './tokens/jwks.js';
import type { KeyStore } from './tokens/key-store.js';

/**
 * The operations the HTTP routes call, one method each. Every method that
 * changes something takes the RequestInfo (request id, IP, user agent) so
 * events carry their metadata and limits know the IP. Errors are the
 * domain's (ValidationError, NotFoundError, ForbiddenError, ConflictError,
 * PreconditionFailedError) plus AuthenticationError (401) and RateLimitedError (429).
 */
export class IdentityService {
  constructor(
    private readonly deps: IdentityDeps,
    readonly apiKeys: ApiKeyService,
    private readonly oidc: OidcLogin,
    private readonly keyStore: KeyStore,
  ) {}

  signup(input: SignupInput, request: RequestInfo) {
    return signupWithPassword(this.deps, input, request);
  }

  login(input: LoginInput, request: RequestInfo) {
    return loginWithPassword(this.deps, input, request);
  }

  refresh(refreshToken: string) {
    return refreshSession(this.deps, refreshToken);
  }

  logout(refreshToken: string) {
    return logout(this.deps, refreshToken);
  }

  /** Bearer token → principal and claims; `GET /auth/verify` answers with the claims. */
  authenticate(accessToken: string) {
    return authenticateAccessToken(this.deps, accessToken);
  }

  me(principal: UserPrincipal) {
    return me(this.deps, principal);
  }

  changePassword(principal: UserPrincipal, input: { currentPassword: string; newPassword: string }, request: RequestInfo) {
    return changePassword(this.deps, principal, input, request);
  }

  /** POST /auth/verify-email: the mailed link's token. */
  verifyEmail(token: string, request: RequestInfo) {
    return verifyEmail(this.deps, token, request);
  }

  resendVerification(principal: UserPrincipal, request: RequestInfo) {
    return resendVerification(this.deps, principal, request);
  }

  /** Answers alike for every address; the mail (if any) goes out after. */
  requestPasswordReset(input: { email: string }, request: RequestInfo) {
    return requestPasswordReset(this.deps, input, request);
  }

  confirmPasswordReset(input: { token: string; newPassword: string }, request: RequestInfo) {
    return confirmPasswordReset(this.deps, input, request);
  }

  listSessions(principal: UserPrincipal) {
    return listSessions(this.deps, principal);
  }

  endSession(principal: UserPrincipal, sessionId: string) {
    return endSession(this.deps, principal, sessionId);
  }

  invite(principal: Principal, input: { email: string; role?: TenantRole }, request: RequestInfo) {
    return inviteToTenant(this.deps, principal, input, request);
  }

  grantRole(principal: Principal, change: RoleChange, request: RequestInfo) {
    return changeRole(this.deps, principal, change, 'GrantRole', request);
  }

  revokeRole(principal: Principal, change: RoleChange, request: RequestInfo) {
    return changeRole(this.deps, principal, change, 'RevokeRole', request);
  }

  revokeInvitation(principal: Principal, invitationId: string, request: RequestInfo) {
    return revokeInvitation(this.deps, principal, invitationId, request);
  }

  disableUser(principal: Principal, userId: string, request: RequestInfo) {
    return disableUser(this.deps, principal, userId, request);
  }

  enableUser(principal: Principal, userId: string, request: RequestInfo) {
    return enableUser(this.deps, principal, userId, request);
  }

  /** Ends every session of a user: an admin of their tenant, or the user themselves. */
  endUserSessions(principal: Principal, userId: string) {
    return endUserSessions(this.deps, principal, userId);
  }

  issueApiKey(principal: Principal, input: ApiKeyInput, request: RequestInfo) {
    return this.apiKeys.issue(principal, input, request);
  }

  revokeApiKey(principal: Principal, keyId: string, request: RequestInfo) {
    return this.apiKeys.revoke(principal, keyId, request);
  }

  listApiKeys(principal: Principal) {
    return this.apiKeys.list(principal);
  }

  authenticateApiKey(key: string, report?: RateLimitReport) {
    return this.apiKeys.authenticate(key, report);
  }

  /** `browserBinding`: the value of the browser's binding cookie, if it has one. */
  oidcStart(provider: string, returnTo: string | null, browserBinding: string | null, request: RequestInfo) {
    return this.oidc.start(provider, returnTo, browserBinding, request);
  }

  oidcComplete(provider: string, callbackUrl: URL, browserBinding: string | null, request: RequestInfo) {
    return this.oidc.complete(provider, callbackUrl, browserBinding, request);
  }

  /** Waits for mail still being sent, then closes the mail transport; adds the API keys' request counts not yet stored. */
  async close(): Promise<void> {
    await this.apiKeys.close();
    await this.deps.deferred.drain();
    await this.deps.mailer.close();
  }

  /** GET /.well-known/jwks.json */
  jwks() {
    return jwksDocument(this.keyStore);
  }
}
