import type { Role } from '../../domain/user/roles.js';

/**
 * Who reads the live feed. An authenticated principal (auth/principal.ts) is
 * one as it is, `sessionId` and all; no credential at all is a guest:
 * `principal ?? { kind: 'guest' }`.
 *
 * A user's `tenantId` and `roles` are what their token said; the rights
 * model decides on the user as the log knows them at the event instead
 * (roles granted or revoked, disabled), and falls back to these only for a
 * user it has never seen.
 *
 * An API key acts for a machine, not a person: the content feature lets it
 * read what a guest reads (api/content/caller.ts), and auth/policies.ts lets
 * it act within its tenant but never administer. So on the feed a key reads
 * the public posts' and collections' events, like a guest, and the events it
 * caused itself (`metadata.actor` is the key), and not its tenant's events
 * that only the tenant's admins read. A revoked key, or one whose issuer is
 * disabled, reads nothing from that position on.
 *
 * Operators read everything: the issue asks for it ("operators all"), though
 * the HTTP API gives them only /api/admin.
 */
export type FeedReader =
  | { readonly kind: 'guest' }
  | { readonly kind: 'user'; readonly userId: string; readonly tenantId: string; readonly roles: readonly Role[] }
  | { readonly kind: 'apiKey'; readonly keyId: string; readonly tenantId: string };

export const GUEST_READER: FeedReader = { kind: 'guest' };
