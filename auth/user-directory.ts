import { emailReservationStream } from '../domain/email/email-reservation.js';
import { externalIdentityStream } from '../domain/external-identity/external-identity-reservation.js';
import type { ActiveUser } from '../domain/user/state.js';
import { userStream } from '../domain/user/streams.js';
import { emailReservationAggregate, externalIdentityReservationAggregate, userAggregate } from '../commands/aggregates.js';
import { loadStream } from '../commands/load-stream.js';
import type { SnapshotStore } from '../commands/snapshots.js';
import type { EventStore } from '../infra/event-store/event-store.js';

/**
 * The narrow read side identity needs: what login, refresh, /auth/me and
 * the check on every request read. Served from the streams themselves, so
 * always current (a login right after signup, a request right after a role
 * change), and from snapshots, so a user stream's cost stays bounded however
 * many logins it has recorded: one snapshot row and the few events after it.
 */
export interface UserDirectory {
  /** The user holding the (normalised) email, if the account exists: a bare reservation is not an account. */
  findUserByEmail(email: string): Promise<ActiveUser | undefined>;
  getUser(userId: string): Promise<ActiveUser | undefined>;
  /** The user and the revision of their stream (for an If-Match checked before a step on another stream). */
  loadUser(userId: string): Promise<{ user: ActiveUser; revision: bigint } | undefined>;
  /** The user an OpenID Provider's subject was reserved for, if any (auth/oidc looks here before any email). */
  findUserByExternalIdentity(issuer: string, subject: string): Promise<ActiveUser | undefined>;
}

export class EventStoreUserDirectory implements UserDirectory {
  constructor(
    private readonly eventStore: EventStore,
    private readonly snapshots?: SnapshotStore,
  ) {}

  async findUserByEmail(email: string): Promise<ActiveUser | undefined> {
    const reservation = await loadStream(this.eventStore, emailReservationAggregate, emailReservationStream(email));
    if (reservation.state.status !== 'Reserved') return undefined;
    return this.getUser(reservation.state.userId);
  }

  async findUserByExternalIdentity(issuer: string, subject: string): Promise<ActiveUser | undefined> {
    const reservation = await loadStream(this.eventStore, externalIdentityReservationAggregate, externalIdentityStream(issuer, subject));
    if (reservation.state.status !== 'Reserved') return undefined;
    return this.getUser(reservation.state.userId);
  }

  async getUser(userId: string): Promise<ActiveUser | undefined> {
    return (await this.loadUser(userId))?.user;
  }

  async loadUser(userId: string): Promise<{ user: ActiveUser; revision: bigint } | undefined> {
    const loaded = await loadStream(this.eventStore, userAggregate, userStream(userId), this.snapshots);
    return loaded.state.status === 'Active' ? { user: loaded.state, revision: loaded.revision } : undefined;
  }
}
