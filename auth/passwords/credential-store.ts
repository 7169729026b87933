import type { Knex } from 'knex';

/**
 * Password hashes, by user id, in a table of their own rather than in
 * UserSignedUp / UserPasswordChanged: the log is immutable, copied into the
 * audit trail, the live feed and the warehouse, and kept forever; a hash
 * there could never be erased or stripped from every copy. Written only by
 * the identity service (the command side), read only to verify a login.
 */
export class CredentialStore {
  constructor(private readonly knex: Knex) {}

  async passwordHash(userId: string): Promise<string | undefined> {
    const row = await this.knex('auth_credentials').where({ user_id: userId }).first<{ password_hash: string } | undefined>('password_hash');
    return row?.password_hash;
  }

  async setPasswordHash(userId: string, passwordHash: string, now: Date): Promise<void> {
    await this.knex('auth_credentials')
      .insert({ user_id: userId, password_hash: passwordHash, updated_at: now })
      .onConflict('user_id')
      .merge(['password_hash', 'updated_at']);
  }

  /** The account has no password any more (taken over by a provider login); password logins fail as for a wrong password. */
  async remove(userId: string): Promise<void> {
    await this.knex('auth_credentials').where({ user_id: userId }).delete();
  }
}
