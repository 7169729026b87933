import type { Knex } from 'knex';

export interface PendingLogin {
  state: string;
  provider: string;
  codeVerifier: string;
  nonce: string;
  returnTo: string | null;
  expiresAt: Date;
  /** SHA-256 of the value in the starting browser's cookie. */
  browserBindingHash: string;
}

interface PendingLoginRow {
  state: string;
  provider: string;
  code_verifier: string;
  nonce: string;
  return_to: string | null;
  expires_at: Date;
  browser_binding_hash: string;
}

/**
 * The PKCE verifier and nonce between the redirect and the callback, kept
 * server-side by state (shared by all API processes) and taken exactly
 * once, so a replayed callback finds nothing. Logins never completed are
 * deleted by the housekeeping sweep (auth/housekeeping).
 */
export class PendingLoginStore {
  constructor(private readonly knex: Knex) {}

  async save(login: PendingLogin): Promise<void> {
    await this.knex<PendingLoginRow>('auth_oidc_logins').insert({
      state: login.state,
      provider: login.provider,
      code_verifier: login.codeVerifier,
      nonce: login.nonce,
      return_to: login.returnTo,
      expires_at: login.expiresAt,
      browser_binding_hash: login.browserBindingHash,
    });
  }

  async take(state: string, provider: string, now: Date): Promise<PendingLogin | undefined> {
    const [row] = await this.knex<PendingLoginRow>('auth_oidc_logins').where({ state, provider }).delete().returning('*');
    if (!row || row.expires_at <= now) return undefined;
    return {
      state: row.state,
      provider: row.provider,
      codeVerifier: row.code_verifier,
      nonce: row.nonce,
      returnTo: row.return_to,
      expiresAt: row.expires_at,
      browserBindingHash: row.browser_binding_hash,
    };
  }
}
