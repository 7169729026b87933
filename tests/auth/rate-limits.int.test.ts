import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RateLimitedError } from '../../auth/errors.js';
import { AuthLimits } from '../../auth/rate-limit/auth-limits.js';
import { PostgresRateLimiter } from '../../auth/rate-limit/rate-limiter.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { createIdentityHarness, GENEROUS_LIMITS, GOOD_PASSWORD, request, uniqueEmail, type IdentityHarness } from '../support/identity-harness.js';

describe('rate limits in PostgreSQL', () => {
  let h: IdentityHarness;

  beforeAll(async () => {
    h = await createIdentityHarness();
  });
  afterAll(async () => h.dispose());

  it('two limiter instances (two processes’ worth, two pools) on one database count together', async () => {
    const otherPool = createKnex(h.database.url, 2);
    try {
      const name = { name: 'shared_test', variable: 'SHARED_TEST' };
      const a = new PostgresRateLimiter(h.knex, name, { points: 3, windowSeconds: 60 });
      const b = new PostgresRateLimiter(otherPool, name, { points: 3, windowSeconds: 60 });
      await a.consume('203.0.113.1');
      await b.consume('203.0.113.1');
      await a.consume('203.0.113.1');
      const refused = await b.consume('203.0.113.1').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RateLimitedError);
      expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
      await expect(a.consume('203.0.113.2')).resolves.toMatchObject({ remaining: 2, points: 3 });
    } finally {
      await otherPool.destroy();
    }
  });

  it('limits signups per IP with 429 and Retry-After seconds', async () => {
    const identity = await h.createService({ limits: { ...GENEROUS_LIMITS, signupPerIp: { points: 2, windowSeconds: 3600 } } });
    await identity.signup({ email: uniqueEmail('ip1'), password: GOOD_PASSWORD }, request('198.51.100.1'));
    await identity.signup({ email: uniqueEmail('ip2'), password: GOOD_PASSWORD }, request('198.51.100.1'));
    await expect(identity.signup({ email: uniqueEmail('ip3'), password: GOOD_PASSWORD }, request('198.51.100.1'))).rejects.toMatchObject({
      code: 'too_many_requests',
      retryAfterSeconds: expect.any(Number),
    });
    await expect(identity.signup({ email: uniqueEmail('ip4'), password: GOOD_PASSWORD }, request('198.51.100.2'))).resolves.toBeDefined();
  });

  it('locks an account after repeated failures, even with the right password, until the block ends; a success clears failures', async () => {
    const limits = { ...GENEROUS_LIMITS, loginFailuresPerAccount: { points: 3, windowSeconds: 900, blockSeconds: 900 } };
    const identity = await h.createService({ limits });
    const email = uniqueEmail('locked');
    await identity.signup({ email, password: GOOD_PASSWORD }, request());
    await expect(identity.login({ email, password: 'wrong one!' }, request())).rejects.toMatchObject({ code: 'invalid_credentials' });
    await identity.login({ email, password: GOOD_PASSWORD }, request());
    for (let i = 0; i < 3; i++) {
      await expect(identity.login({ email, password: 'wrong one!' }, request(`192.0.2.${i}`))).rejects.toMatchObject({ code: 'invalid_credentials' });
    }
    const locked = await identity.login({ email, password: GOOD_PASSWORD }, request()).catch((error: unknown) => error);
    expect(locked).toBeInstanceOf(RateLimitedError);
    expect((locked as RateLimitedError).retryAfterSeconds).toBeGreaterThan(800);
    // Another process sees the same lockout.
    const elsewhere = new AuthLimits(h.knex, limits);
    await expect(elsewhere.beforeLogin(request(), email)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('limits logins per IP', async () => {
    const identity = await h.createService({ limits: { ...GENEROUS_LIMITS, loginPerIp: { points: 2, windowSeconds: 60 } } });
    const ip = '198.51.100.77';
    await expect(identity.login({ email: uniqueEmail(), password: 'whatever1' }, request(ip))).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(identity.login({ email: uniqueEmail(), password: 'whatever1' }, request(ip))).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(identity.login({ email: uniqueEmail(), password: 'whatever1' }, request(ip))).rejects.toBeInstanceOf(RateLimitedError);
  });
});
