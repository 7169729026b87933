import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import type { Role } from '../../domain/user/roles.js';

/**
 * Who reads the feed, as the rights model takes them (the shape of
 * projections/feed-rights' FeedReader). A user's roles and tenant are the
 * current ones: refreshed from the model when the log changes them.
 */
export type FeedReader =
  | { kind: 'guest' }
  | { kind: 'user'; userId: string; tenantId: string; roles: readonly Role[] }
  | { kind: 'apiKey'; keyId: string; tenantId: string };

/**
 * What the hub needs of the rights model (projections/feed-rights'
 * FeedRights): a pure fold over the log, in log order, and a decision per
 * reader and event on its state right now.
 */
export interface FeedRightsModel {
  /** Every event of the log, in order; unknown types are ignored. */
  apply(event: RecordedEvent): void;
  mayRead(reader: FeedReader, event: RecordedEvent): boolean;
  /** The user as the log knows them now. */
  user(userId: string): { tenantId: string; roles: readonly Role[]; disabled: boolean } | undefined;
}
