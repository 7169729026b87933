import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import type { Role } from '../../domain/user/roles.js';
import type { FeedReader } from '../../projections/feed-rights/index.js';

export type { FeedReader };

/**
 * What the hub needs of the rights model (projections/feed-rights'
 * FeedRights is the one): a pure fold over the log, in log order, and a
 * decision per reader and event on its state right now.
 */
export interface FeedRightsModel {
  /** Every event of the log, in order; unknown types are ignored. */
  apply(event: RecordedEvent): void;
  mayRead(reader: FeedReader, event: RecordedEvent): boolean;
  /** The user as the log knows them now. */
  user(userId: string): { tenantId: string; roles: readonly Role[]; disabled: boolean } | undefined;
  /** The API key as the log knows it now: `revoked` also once its issuer is disabled. */
  apiKey(keyId: string): { tenantId: string; revoked: boolean } | undefined;
}
