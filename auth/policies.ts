import { ForbiddenError } from '../domain/shared/errors.js';
import { scopesAllow, type ApiKeyScope } from '../domain/tenant/api-key-scopes.js';
import type { Role } from '../domain/user/roles.js';
import type { Principal, UserPrincipal } from './principal.js';

/**
 * Who may do what. `admin` acts on anything within its own tenant; `member`
 * on its own things; `operator` on the installation (/api/admin) and nothing
 * more (operating the system is not reading tenants' data). API keys act for
 * machines within their tenant, never administer users, and only as far as
 * their scopes go: every route names the scope a key needs (api/route.ts,
 * `admin` unless told), so an `ingest`-only key can send events and nothing else.
 */
export function isTenantAdmin(principal: Principal, tenantId: string): boolean {
  return principal.kind === 'user' && principal.tenantId === tenantId && principal.roles.includes('admin');
}

export function isOperator(principal: Principal): boolean {
  return principal.kind === 'user' && principal.roles.includes('operator');
}

export function isTenantMember(principal: Principal, tenantId: string): boolean {
  return principal.tenantId === tenantId;
}

export function requireUser(principal: Principal): UserPrincipal {
  if (principal.kind !== 'user') throw new ForbiddenError('this needs a user, not an api key', { code: 'user_required' });
  return principal;
}

export function requireTenantAdmin(principal: Principal, tenantId: string): UserPrincipal {
  const user = requireUser(principal);
  if (!isTenantAdmin(user, tenantId)) throw new ForbiddenError('this needs the admin role in the tenant', { code: 'admin_required' });
  return user;
}

export function requireOperator(principal: Principal): UserPrincipal {
  const user = requireUser(principal);
  if (!isOperator(user)) throw new ForbiddenError('this needs the operator role', { code: 'operator_required' });
  return user;
}

/** Tenant roles are granted by the tenant's admins; the installation-wide role only by an operator. */
export function requireMayChangeRole(principal: Principal, targetTenantId: string, role: Role): UserPrincipal {
  return role === 'operator' ? requireOperator(principal) : requireTenantAdmin(principal, targetTenantId);
}

/** Users are not limited by scopes (their roles decide); a key only by them. */
export function hasApiKeyScope(principal: Principal, scope: ApiKeyScope): boolean {
  return principal.kind === 'user' || scopesAllow(principal.scopes, scope);
}

/** 403 `insufficient_scope` for an API key without the scope; users pass (their roles are checked where it matters). */
export function requireApiKeyScope(principal: Principal, scope: ApiKeyScope): void {
  if (hasApiKeyScope(principal, scope)) return;
  throw new ForbiddenError(`this API key lacks the ${scope} scope`, { code: 'insufficient_scope', details: [{ requiredScope: scope }] });
}

/** May the principal send analytics for the tenant (ingestion)? Users of the tenant and its keys with the `ingest` scope may. */
export function mayIngest(principal: Principal, tenantId: string): boolean {
  return isTenantMember(principal, tenantId) && hasApiKeyScope(principal, 'ingest');
}

/** May the principal query the tenant's analytics? Users of the tenant and its keys with the `read` scope may. */
export function mayReadAnalytics(principal: Principal, tenantId: string): boolean {
  return isTenantMember(principal, tenantId) && hasApiKeyScope(principal, 'read');
}
