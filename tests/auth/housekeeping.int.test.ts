import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmailTokenStore } from '../../auth/email-tokens/email-token-store.js';
import { IdentitySweep, SWEEP_LOCK } from '../../auth/housekeeping/identity-sweep.js';
import { PendingLoginStore } from '../../auth/oidc/pending-logins.js';
import { PostgresRateLimiter } from '../../auth/rate-limit/rate-limiter.js';
import { hashRefreshToken } from '../../auth/sessions/refresh-token-crypto.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { GENEROUS_LIMITS_ENV } from '../support/auth-http.js';
import { createIdentityHarness, GOOD_PASSWORD, request, uniqueEmail, type IdentityHarness } from '../support/identity-harness.js';
import { startTestApp } from '../support/test-app.js';

const HOUR = 3600;

describe('the identity housekeeping sweep', () => {
  let h: IdentityHarness;
  let sweep: IdentitySweep;
  let pendingLogins: PendingLoginStore;

  beforeAll(async () => {
    h = await createIdentityHarness();
    // A small batch, so sweeps take several statements per kind as they would on large tables.
    sweep = new IdentitySweep(h.knex, { reuseDetectionSeconds: HOUR, batchSize: 2 });
    pendingLogins = new PendingLoginStore(h.knex);
  });
  afterAll(async () => h.dispose());

  const rows = (table: string, column: string, values: readonly string[]) => h.knex(table).whereIn(column, values).pluck(column);
  const pendingLogin = (state: string, expiresAt: Date) =>
    pendingLogins.save({ state, provider: 'corp', codeVerifier: 'v', nonce: 'n', returnTo: null, expiresAt, browserBindingHash: 'b' });

  it('deletes what has ended, in every table, and keeps everything still live', async () => {
    const live = await h.identity.signup({ email: uniqueEmail('live'), password: GOOD_PASSWORD }, request());
    const refreshed = await h.identity.signup({ email: uniqueEmail('refreshed'), password: GOOD_PASSWORD }, request());
    const second = await h.identity.refresh(refreshed.refreshToken);
    const current = await h.identity.refresh(second.refreshToken);
    const loggedOut = await h.identity.signup({ email: uniqueEmail('gone'), password: GOOD_PASSWORD }, request());
    await h.identity.logout(loggedOut.refreshToken);
    const now = h.clock.now();
    await pendingLogin('abandoned', new Date(now.getTime() - 1000));
    await pendingLogin('in-progress', new Date(now.getTime() + 600_000));
    const emailTokens = new EmailTokenStore(h.knex);
    const shortLink = await emailTokens.issue('verify_email', { userId: live.user.id, email: live.user.email }, now, 60);
    const counter = new PostgresRateLimiter(h.knex, { name: 'sweep_test', variable: 'SWEEP_TEST' }, { points: 5, windowSeconds: 60 });
    await counter.consume('203.0.113.9');

    const first = await sweep.sweep(now);
    expect(first).toMatchObject({ skipped: false, abandonedOidcLogins: 1 });
    const sessions = [live.sessionId, refreshed.sessionId, loggedOut.sessionId];
    expect(await rows('auth_sessions', 'id', sessions)).toEqual(expect.arrayContaining([live.sessionId, refreshed.sessionId]));
    expect(await rows('auth_sessions', 'id', sessions)).not.toContain(loggedOut.sessionId);
    // The ended session's refresh token went with it; tokens rotated within the reuse window stay, so reuse is still caught.
    const tokens = [loggedOut.refreshToken, refreshed.refreshToken, second.refreshToken, current.refreshToken].map(hashRefreshToken);
    expect(await rows('auth_refresh_tokens', 'token_hash', tokens)).toHaveLength(3);
    expect(await rows('auth_oidc_logins', 'state', ['abandoned', 'in-progress'])).toEqual(['in-progress']);
    expect(await emailTokens.peek('verify_email', shortLink, now)).toBeDefined();

    h.clock.advance((HOUR + 1) * 1000);
    const later = await sweep.sweep(h.clock.now());
    expect(later).toMatchObject({ skipped: false, rotatedRefreshTokens: expect.any(Number), expiredEmailTokens: expect.any(Number) });
    expect(await rows('auth_refresh_tokens', 'token_hash', tokens)).toEqual([hashRefreshToken(current.refreshToken)]);
    expect(await h.knex('auth_email_tokens').where({ user_id: live.user.id }).count<Array<{ count: string }>>('*')).toEqual([{ count: '0' }]);
    expect(await h.knex('auth_rate_limits').where('key', 'like', 'sweep_test%').count<Array<{ count: string }>>('*')).toEqual([{ count: '0' }]);
    // The session itself lives on: its current token refreshes; a token rotated before the window now reads as unknown.
    await expect(h.identity.refresh(current.refreshToken)).resolves.toMatchObject({ sessionId: refreshed.sessionId });
    await expect(h.identity.refresh(second.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });

    h.clock.advance(31 * 24 * HOUR * 1000);
    await sweep.sweep(h.clock.now());
    expect(await rows('auth_sessions', 'id', sessions)).toEqual([]);
    expect(await h.knex('auth_refresh_tokens').whereIn('session_id', sessions).count<Array<{ count: string }>>('*')).toEqual([{ count: '0' }]);
  });

  it('lets one process sweep at a time: the others skip while it holds the sweep', async () => {
    const otherProcess = createKnex(h.database.url, 1);
    try {
      const now = h.clock.now();
      await pendingLogin('abandoned-too', new Date(now.getTime() - 1000));
      // The other process's only connection holds the sweep's lock.
      await otherProcess.raw('SELECT pg_advisory_lock(?)', [SWEEP_LOCK]);
      await expect(sweep.sweep(now)).resolves.toEqual({ skipped: true });
      expect(await rows('auth_oidc_logins', 'state', ['abandoned-too'])).toEqual(['abandoned-too']);
      await otherProcess.raw('SELECT pg_advisory_unlock(?)', [SWEEP_LOCK]);
      const [one, two] = await Promise.all([sweep.sweep(now), new IdentitySweep(otherProcess, { reuseDetectionSeconds: HOUR }).sweep(now)]);
      expect([one, two].some((result) => !result.skipped)).toBe(true);
      expect(await rows('auth_oidc_logins', 'state', ['abandoned-too'])).toEqual([]);
    } finally {
      await otherProcess.destroy();
    }
  });
});

describe('the sweep on its schedule', () => {
  it('runs in the worker every AUTH_SWEEP_INTERVAL_MS', async () => {
    const app = await startTestApp({ role: 'start', env: { ...GENEROUS_LIMITS_ENV, AUTH_SWEEP_INTERVAL_MS: '1000' } });
    try {
      await new PendingLoginStore(app.services.knex).save({
        state: 'left-behind', provider: 'corp', codeVerifier: 'v', nonce: 'n', returnTo: null, expiresAt: new Date(Date.now() - 1000), browserBindingHash: 'b',
      });
      const deadline = Date.now() + 20_000;
      let left = 1;
      while (left > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        left = (await app.services.knex('auth_oidc_logins').where({ state: 'left-behind' })).length;
      }
      expect(left).toBe(0);
    } finally {
      await app.stop();
    }
  });
});
