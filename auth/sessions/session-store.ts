import type { Knex } from 'knex';
import type { Runtime } from '../../commands/runtime.js';
import { AuthenticationError } from '../errors.js';
import { hashRefreshToken, newRefreshToken, openSuccessor, sealSuccessor } from './refresh-token-crypto.js';
import { toSession, type Session, type SessionRow } from './session.js';

export interface SessionSettings {
  /** Absolute lifetime of a session (its refresh token family). */
  refreshTtlSeconds: number;
  /** After a rotation, how long the old token still gets the current token back (a retried request). */
  reuseGraceSeconds: number;
}

export interface SessionStart {
  userId: string;
  tenantId: string;
  userAgent: string | null;
  ip: string | null;
}

export interface RefreshOutcome {
  session: Session;
  refreshToken: string;
  /** True when a retried refresh within the grace got the current token back. */
  replayed: boolean;
}

interface TokenRow {
  token_hash: string;
  session_id: string;
  rotated_at: Date | null;
  successor_sealed: string | null;
}

export type EndReason =
  | 'logout'
  | 'ended_by_user'
  | 'ended_by_admin'
  | 'user_disabled'
  | 'password_changed'
  | 'password_reset'
  | 'account_claimed'
  | 'refresh_token_reuse';

/**
 * Refresh token sessions: opaque tokens stored as SHA-256, rotated on every
 * use; each session is one token family. Presenting a rotated token after
 * the grace is taken as theft and ends the whole family. Rotations of one
 * family are serialised by a row lock on its session.
 */
export class SessionStore {
  constructor(
    private readonly knex: Knex,
    private readonly runtime: Runtime,
    private readonly settings: SessionSettings,
    /** Told of every session this process ends, once it is ended (the authentication cache forgets it before anyone is answered). */
    private readonly ended: (sessionIds: readonly string[]) => void = () => undefined,
  ) {}

  async start(start: SessionStart): Promise<{ session: Session; refreshToken: string }> {
    const now = this.runtime.now();
    const row: SessionRow = {
      id: this.runtime.newId(),
      user_id: start.userId,
      tenant_id: start.tenantId,
      created_at: now,
      last_used_at: now,
      expires_at: new Date(now.getTime() + this.settings.refreshTtlSeconds * 1000),
      revoked_at: null,
      revoked_reason: null,
      user_agent: start.userAgent,
      ip: start.ip,
    };
    const refreshToken = newRefreshToken();
    await this.knex.transaction(async (trx) => {
      await trx('auth_sessions').insert(row);
      await trx('auth_refresh_tokens').insert({ token_hash: hashRefreshToken(refreshToken), session_id: row.id, issued_at: now });
    });
    return { session: toSession(row), refreshToken };
  }

  async refresh(presented: string): Promise<RefreshOutcome> {
    const outcome = await this.knex.transaction(async (trx) => this.rotate(trx, presented));
    if (outcome === 'invalid') throw invalidRefreshToken();
    if ('reusedInSession' in outcome) {
      this.ended([outcome.reusedInSession]);
      throw new AuthenticationError('the refresh token was already used; the session has ended', { code: 'refresh_token_reused' });
    }
    return outcome;
  }

  /** Logout: ends the token's session. Unknown tokens are ignored, so logout is idempotent. */
  async endByToken(presented: string): Promise<Session | undefined> {
    const token = await this.knex<TokenRow>('auth_refresh_tokens').where({ token_hash: hashRefreshToken(presented) }).first();
    if (!token) return undefined;
    const [row] = await this.endWhere({ id: token.session_id }, 'logout');
    return row ? toSession(row) : undefined;
  }

  /** Ends one of the user's own sessions; false if it is not theirs or already over. */
  async end(userId: string, sessionId: string, reason: EndReason): Promise<boolean> {
    return (await this.endWhere({ id: sessionId, user_id: userId }, reason)).length > 0;
  }

  async endOthers(userId: string, keepSessionId: string | null, reason: EndReason): Promise<number> {
    const ended = await this.endWhere({ user_id: userId }, reason, keepSessionId);
    return ended.length;
  }

  /** The user's live sessions, newest first. */
  async list(userId: string): Promise<Session[]> {
    const rows = await this.knex<SessionRow>('auth_sessions')
      .where({ user_id: userId, revoked_at: null })
      .andWhere('expires_at', '>', this.runtime.now())
      .orderBy('created_at', 'desc');
    return rows.map(toSession);
  }

  /** Which of these sessions are still open: one query for any number (the live feed re-checks its sockets' sessions this way). */
  activeOf(sessionIds: readonly string[]): Promise<Set<string>> {
    return activeSessionIds(this.knex, sessionIds, this.runtime.now());
  }

  async isActive(sessionId: string): Promise<boolean> {
    return (await this.openUntil(sessionId)) !== undefined;
  }

  /** When the session expires, if it is open now; undefined if it has ended or expired (or never was). */
  async openUntil(sessionId: string): Promise<Date | undefined> {
    const row = await this.knex<SessionRow>('auth_sessions')
      .where({ id: sessionId, revoked_at: null })
      .andWhere('expires_at', '>', this.runtime.now())
      .first('expires_at');
    return row?.expires_at;
  }

  private async rotate(trx: Knex.Transaction, presented: string): Promise<RefreshOutcome | 'invalid' | { reusedInSession: string }> {
    const hash = hashRefreshToken(presented);
    const found = await trx<TokenRow>('auth_refresh_tokens').where({ token_hash: hash }).first('session_id');
    if (!found) return 'invalid';
    // Lock the family first, then read the token afresh: a concurrent rotation has committed by now.
    const session = await trx<SessionRow>('auth_sessions').where({ id: found.session_id }).forUpdate().first();
    const token = await trx<TokenRow>('auth_refresh_tokens').where({ token_hash: hash }).first();
    const now = this.runtime.now();
    if (!session || !token || session.revoked_at !== null || session.expires_at <= now) return 'invalid';
    if (token.rotated_at === null) {
      const successor = newRefreshToken();
      await trx('auth_refresh_tokens').where({ token_hash: hash }).update({ rotated_at: now, successor_sealed: sealSuccessor(successor, presented) });
      await trx('auth_refresh_tokens').insert({ token_hash: hashRefreshToken(successor), session_id: session.id, issued_at: now });
      await trx('auth_sessions').where({ id: session.id }).update({ last_used_at: now });
      return { session: toSession({ ...session, last_used_at: now }), refreshToken: successor, replayed: false };
    }
    const replay = await this.replayWithinGrace(trx, token, presented, now);
    if (replay) return { session: toSession(session), refreshToken: replay, replayed: true };
    await trx('auth_sessions').where({ id: session.id }).update({ revoked_at: now, revoked_reason: 'refresh_token_reuse' });
    return { reusedInSession: session.id };
  }

  /** The successor, if the grace has not passed and the successor is still the family's current token. */
  private async replayWithinGrace(trx: Knex.Transaction, token: TokenRow, presented: string, now: Date): Promise<string | undefined> {
    if (!token.rotated_at || !token.successor_sealed) return undefined;
    if (now.getTime() - token.rotated_at.getTime() > this.settings.reuseGraceSeconds * 1000) return undefined;
    const successor = openSuccessor(token.successor_sealed, presented);
    if (!successor) return undefined;
    const current = await trx<TokenRow>('auth_refresh_tokens').where({ token_hash: hashRefreshToken(successor), rotated_at: null }).first('token_hash');
    return current ? successor : undefined;
  }

  private async endWhere(where: Partial<SessionRow>, reason: EndReason, exceptId: string | null = null): Promise<SessionRow[]> {
    const query = this.knex<SessionRow>('auth_sessions').where(where).whereNull('revoked_at');
    if (exceptId !== null) query.whereNot({ id: exceptId });
    const ended = await query.update({ revoked_at: this.runtime.now(), revoked_reason: reason }).returning('*');
    if (ended.length > 0) this.ended(ended.map((row) => row.id));
    return ended;
  }
}

function invalidRefreshToken(): AuthenticationError {
  return new AuthenticationError('the refresh token is invalid or expired', { code: 'invalid_refresh_token' });
}

/** The ids among `sessionIds` of sessions neither revoked nor expired at `now`. */
export async function activeSessionIds(knex: Knex, sessionIds: readonly string[], now: Date): Promise<Set<string>> {
  if (sessionIds.length === 0) return new Set();
  const rows = await knex<SessionRow>('auth_sessions').whereIn('id', [...sessionIds]).whereNull('revoked_at').andWhere('expires_at', '>', now).select('id');
  return new Set(rows.map((row) => row.id));
}
