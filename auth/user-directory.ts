import { emailReservationStream } from '../domain/email/email-reservation.js';
import { externalIdentityStream } from '../domain/external-identity/external-identity-reservation.js';
import type { ActiveUser } from '../domain/user/state.js';
import { userStream } from '../domain/user/streams.js';
import { emailReservationAggregate, externalIdentityReservationAggregate, userAggregate } from '../commands/identity/aggregates.js';
import type { CommandHandler } from '../commands/command-handler.js';

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
  /** Streams are read as the command handler reads them: from snapshots, upcast. */
  constructor(private readonly streams: Pick<CommandHandler, 'load'>) {}

  async findUserByEmail(email: string): Promise<ActiveUser | undefined> {
    const reservation = await this.streams.load(emailReservationAggregate, emailReservationStream(email));
    if (reservation.state.status !== 'Reserved') return undefined;
    return this.getUser(reservation.state.userId);
  }

  async findUserByExternalIdentity(issuer: string, subject: string): Promise<ActiveUser | undefined> {
    const reservation = await this.streams.load(externalIdentityReservationAggregate, externalIdentityStream(issuer, subject));
    if (reservation.state.status !== 'Reserved') return undefined;
    return this.getUser(reservation.state.userId);
  }

  async getUser(userId: string): Promise<ActiveUser | undefined> {
    return (await this.loadUser(userId))?.user;
  }

  async loadUser(userId: string): Promise<{ user: ActiveUser; revision: bigint } | undefined> {
    const loaded = await this.streams.load(userAggregate, userStream(userId));
    return loaded.state.status === 'Active' ? { user: loaded.state, revision: loaded.revision } : undefined;
  }
}
