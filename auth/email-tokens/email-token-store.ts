import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

export type EmailTokenPurpose = 'verify_email' | 'password_reset';

export interface EmailTokenGrant {
  userId: string;
  /** The address the link was sent to. */
  email: string;
}

interface EmailTokenRow {
  token_hash: string;
  purpose: EmailTokenPurpose;
  user_id: string;
  email: string;
  created_at: Date;
  expires_at: Date;
}

/** Purpose in the token itself, so a token of one kind is never mistaken for the other, and secret scanners can spot them. */
const PREFIXES: Record<EmailTokenPurpose, string> = { verify_email: 'chv_', password_reset: 'chr_' };

/**
 * One-time tokens sent by mail (verification, password reset). Only their
 * SHA-256 is stored, so a copy of the table opens nothing; a 256-bit token
 * needs no slow hash. Issuing a token retires the user's earlier unused ones
 * of the same purpose: only the newest link works.
 */
export class EmailTokenStore {
  constructor(private readonly knex: Knex) {}

  async issue(purpose: EmailTokenPurpose, grant: EmailTokenGrant, now: Date, ttlSeconds: number): Promise<string> {
    const token = `${PREFIXES[purpose]}${randomBytes(32).toString('base64url')}`;
    await this.knex.transaction(async (trx) => {
      await trx<EmailTokenRow>('auth_email_tokens').where({ purpose, user_id: grant.userId }).delete();
      await trx<EmailTokenRow>('auth_email_tokens').insert({
        token_hash: hashToken(token),
        purpose,
        user_id: grant.userId,
        email: grant.email,
        created_at: now,
        expires_at: new Date(now.getTime() + ttlSeconds * 1000),
      });
    });
    return token;
  }

  /** What an unused, unexpired token grants, without using it up. */
  async peek(purpose: EmailTokenPurpose, token: string, now: Date): Promise<EmailTokenGrant | undefined> {
    if (!token.startsWith(PREFIXES[purpose])) return undefined;
    const row = await this.knex<EmailTokenRow>('auth_email_tokens')
      .where({ token_hash: hashToken(token), purpose })
      .andWhere('expires_at', '>', now)
      .first();
    return row ? { userId: row.user_id, email: row.email } : undefined;
  }

  /** Uses the token up (deletes it): of any number of concurrent uses exactly one gets the grant. */
  async consume(purpose: EmailTokenPurpose, token: string, now: Date): Promise<EmailTokenGrant | undefined> {
    if (!token.startsWith(PREFIXES[purpose])) return undefined;
    const [row] = await this.knex<EmailTokenRow>('auth_email_tokens')
      .where({ token_hash: hashToken(token), purpose })
      .delete()
      .returning(['user_id', 'email', 'expires_at']);
    return row && row.expires_at > now ? { userId: row.user_id, email: row.email } : undefined;
  }

  /** Retires every token of the user for the purpose (after a reset, the other reset links die). */
  async retire(purpose: EmailTokenPurpose, userId: string): Promise<void> {
    await this.knex<EmailTokenRow>('auth_email_tokens').where({ purpose, user_id: userId }).delete();
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
