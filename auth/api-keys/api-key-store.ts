import type { Knex } from 'knex';
import { apiKeyScopeSchema, type ApiKeyScope } from '../../domain/tenant/api-key-scopes.js';

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  displayPrefix: string;
  rateLimitPerMinute: number;
  scopes: readonly ApiKeyScope[];
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  display_prefix: string;
  key_hash: string;
  rate_limit_per_minute: number;
  scopes: string[];
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

/**
 * API key hashes, written by the command side next to ApiKeyIssued /
 * ApiKeyRevoked (which carry no key material) and read on every machine
 * request; the key itself exists only in the issuing response.
 */
export class ApiKeyStore {
  constructor(private readonly knex: Knex) {}

  async insert(record: Omit<ApiKeyRecord, 'revokedAt'>, keyHash: string): Promise<void> {
    await this.knex<ApiKeyRow>('auth_api_keys').insert({
      id: record.id,
      tenant_id: record.tenantId,
      name: record.name,
      display_prefix: record.displayPrefix,
      key_hash: keyHash,
      rate_limit_per_minute: record.rateLimitPerMinute,
      scopes: [...record.scopes],
      created_by: record.createdBy,
      created_at: record.createdAt,
    });
  }

  async findActiveByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.knex<ApiKeyRow>('auth_api_keys').where({ key_hash: keyHash, revoked_at: null }).first();
    return row ? toRecord(row) : undefined;
  }

  async revoke(tenantId: string, id: string, now: Date): Promise<void> {
    await this.knex<ApiKeyRow>('auth_api_keys').where({ tenant_id: tenantId, id, revoked_at: null }).update({ revoked_at: now });
  }

  /** Stops every key one user issued in the tenant (the events are the tenant decider's to record). */
  async revokeCreatedBy(tenantId: string, userId: string, now: Date): Promise<void> {
    await this.knex<ApiKeyRow>('auth_api_keys').where({ tenant_id: tenantId, created_by: userId, revoked_at: null }).update({ revoked_at: now });
  }

  async list(tenantId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.knex<ApiKeyRow>('auth_api_keys').where({ tenant_id: tenantId }).orderBy('created_at', 'desc');
    return rows.map(toRecord);
  }
}

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    displayPrefix: row.display_prefix,
    rateLimitPerMinute: row.rate_limit_per_minute,
    // The table's CHECK admits only known scopes; parsing keeps the type honest all the same.
    scopes: row.scopes.map((scope) => apiKeyScopeSchema.parse(scope)),
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
