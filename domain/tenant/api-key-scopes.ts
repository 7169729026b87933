import { z } from 'zod';

/**
 * What an API key may do. `ingest`: send analytics events and nothing else,
 * so a write key is safe to ship in a web page; `read`: the tenant's
 * analytics queries; `admin`: everything an API key can reach, the other two
 * included (what every key could do before scopes existed).
 */
export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const;

export const apiKeyScopeSchema = z.enum(API_KEY_SCOPES);

export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;

/** Whether a key holding `held` may act where `needed` is required: `admin` stands for every scope. */
export function scopesAllow(held: readonly ApiKeyScope[], needed: ApiKeyScope): boolean {
  return held.includes(needed) || held.includes('admin');
}
