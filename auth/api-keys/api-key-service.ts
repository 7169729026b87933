import { tenantStream } from '../../domain/tenant/streams.js';
import { tenantAggregate } from '../../commands/identity/aggregates.js';
import type { CommandHandler } from '../../commands/command-handler.js';
import type { Runtime } from '../../commands/runtime.js';
import type { Knex } from 'knex';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../domain/tenant/api-key-scopes.js';
import { accountDisabled } from '../../domain/user/decider.js';
import { AuthenticationError } from '../errors.js';
import { issuerStillEnabled } from '../identity/user-admin.js';
import type { UserDirectory } from '../user-directory.js';
import type { RequestInfo } from '../identity/request-info.js';
import { commandContext } from '../../commands/metadata.js';
import type { Principal } from '../principal.js';
import { requireTenantAdmin } from '../policies.js';
import type { AuthLimits } from '../rate-limit/auth-limits.js';
import type { RateLimitReport } from '../rate-limit/limit-state.js';
import { ProcessCountedRateLimiter } from '../rate-limit/process-counted-limiter.js';
import { hashApiKey, looksLikeApiKey, newApiKey } from './api-key-secret.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';

export interface IssuedApiKey extends Omit<ApiKeyRecord, 'revokedAt'> {
  /** The key itself: in this answer and nowhere else, ever. */
  key: string;
}

export interface ApiKeyInput {
  name: string;
  rateLimitPerMinute?: number;
  scopes?: readonly ApiKeyScope[];
}

export interface ApiKeyServiceDeps {
  handler: CommandHandler;
  store: ApiKeyStore;
  runtime: Runtime;
  knex: Knex;
  /** To find an issuer disabled while their key was being issued. */
  directory: UserDirectory;
  /** Requests per minute for a key issued without its own limit (API_KEY_DEFAULT_RATE_LIMIT). */
  defaultRateLimitPerMinute: number;
  /** The most active keys a tenant may hold (API_KEYS_PER_TENANT). */
  maxActiveKeysPerTenant: number;
  /** Issuing is itself limited per tenant. */
  limits: AuthLimits;
}

/**
 * API keys for machines, per tenant, managed by the tenant's admins.
 * Issuing records ApiKeyIssued before the hash is stored (a crash leaves a
 * recorded key nobody holds, which never works); revoking stops the key in
 * the table before ApiKeyRevoked (a crash leaves it stopped, and a retry
 * records the event). Either way no crash leaves a usable key unrecorded.
 */
export class ApiKeyService {
  /**
   * One limiter for every key, whatever its rate: each request compares the
   * key's count with the key's own limit. Counted in this process and added
   * to PostgreSQL in the background: a key's concurrent requests (a busy
   * write key) never queue on its counter's row lock.
   */
  private readonly perKey: ProcessCountedRateLimiter;

  constructor(private readonly deps: ApiKeyServiceDeps) {
    this.perKey = new ProcessCountedRateLimiter(deps.knex, API_KEY_LIMIT, { points: deps.defaultRateLimitPerMinute, windowSeconds: 60 });
  }

  /** At shutdown: adds the request counts not yet in PostgreSQL. */
  close(): Promise<void> {
    return this.perKey.close();
  }

  /** `scopes`: every scope unless told, as keys had before scopes existed. */
  async issue(principal: Principal, input: ApiKeyInput, request: RequestInfo): Promise<IssuedApiKey> {
    const admin = requireTenantAdmin(principal, principal.tenantId);
    await this.deps.limits.beforeApiKeyIssue(request, admin.tenantId);
    const { key, displayPrefix } = newApiKey();
    const record = {
      id: this.deps.runtime.newId(),
      tenantId: admin.tenantId,
      name: input.name,
      displayPrefix,
      rateLimitPerMinute: input.rateLimitPerMinute ?? this.deps.defaultRateLimitPerMinute,
      scopes: API_KEY_SCOPES.filter((scope) => (input.scopes ?? API_KEY_SCOPES).includes(scope)),
      createdBy: admin.userId,
      createdAt: this.deps.runtime.now(),
    };
    await this.deps.handler.handle(
      tenantAggregate,
      tenantStream(admin.tenantId),
      {
        type: 'IssueApiKey',
        data: {
          keyId: record.id,
          name: record.name,
          displayPrefix,
          rateLimitPerMinute: record.rateLimitPerMinute,
          issuedBy: admin.userId,
          scopes: record.scopes,
          activeKeyCap: { points: this.deps.maxActiveKeysPerTenant, ...ACTIVE_KEY_CAP },
        },
      },
      { context: commandContext(this.deps.runtime, request, { type: 'user', id: admin.userId }, admin.tenantId) },
    );
    await this.deps.store.insert(record, hashApiKey(key));
    if (!(await issuerStillEnabled(this.deps, admin.userId))) {
      await this.revoke(admin, record.id, request);
      throw accountDisabled();
    }
    return { ...record, key };
  }

  async revoke(principal: Principal, keyId: string, request: RequestInfo): Promise<void> {
    const admin = requireTenantAdmin(principal, principal.tenantId);
    await this.deps.store.revoke(admin.tenantId, keyId, this.deps.runtime.now());
    await this.deps.handler.handle(tenantAggregate, tenantStream(admin.tenantId), { type: 'RevokeApiKey', data: { keyId, revokedBy: admin.userId } }, {
      context: commandContext(this.deps.runtime, request, { type: 'user', id: admin.userId }, admin.tenantId),
    });
  }

  list(principal: Principal): Promise<ApiKeyRecord[]> {
    const admin = requireTenantAdmin(principal, principal.tenantId);
    return this.deps.store.list(admin.tenantId);
  }

  /** A machine's request: the key's principal, after counting the request against the key's own limit. */
  async authenticate(key: string, report?: RateLimitReport): Promise<{ principal: Extract<Principal, { kind: 'apiKey' }>; record: ApiKeyRecord }> {
    const record = looksLikeApiKey(key) ? await this.deps.store.findActiveByHash(hashApiKey(key)) : undefined;
    if (!record) throw new AuthenticationError('the api key is invalid or revoked', { code: 'invalid_api_key' });
    await this.perKey.consume(record.id, { points: record.rateLimitPerMinute, report });
    return { principal: { kind: 'apiKey', keyId: record.id, tenantId: record.tenantId, scopes: record.scopes }, record };
  }
}

const ACTIVE_KEY_CAP = { name: 'api_keys_per_tenant', variable: 'API_KEYS_PER_TENANT' };

/** Set per key when it is issued (rateLimitPerMinute), API_KEY_DEFAULT_RATE_LIMIT_PER_MINUTE when it was issued without one. */
const API_KEY_LIMIT = { name: 'api_key_per_minute', variable: 'rateLimitPerMinute' };
