import { emailReservationStream } from '../domain/email/email-reservation.js';
import { externalIdentityStream } from '../domain/external-identity/external-identity-reservation.js';
import type { ActiveUser } from '../domain/user/state.js';
import { userStream } from '../domain/user/streams.js';
import { emailReservationAggregate, externalIdentityReservationAggregate, userAggregate } from '../commands/aggregates.js';
import { loadStream } from '../commands/load-stream.js';
import type { EventStore } from '../infra/event-store/event-store.js';

/**
 * The narrow read side identity needs. Implemented here by reading streams
 * (always current, one or two reads per call); a projection-backed read
 * model can replace it without the services noticing.
 */
export interface UserDirectory {
  /** The user holding the (normalised) email, if the account exists: a bare reservation is not an account. */
  findUserByEmail(email: string): Promise<ActiveUser | undefined>;
  getUser(userId: string): Promise<ActiveUser | undefined>;
  /** The user an OpenID Provider's subject was reserved for, if any (auth/oidc looks here before any email). */
  findUserByExternalIdentity(issuer: string, subject: string): Promise<ActiveUser | undefined>;
}

export class EventStoreUserDirectory implements UserDirectory {
  constructor(private readonly eventStore: EventStore) {}

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
    const loaded = await loadStream(this.eventStore, userAggregate, userStream(userId));
    return loaded.state.status === 'Active' ? loaded.state : undefined;
  }
}
