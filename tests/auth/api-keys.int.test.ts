import { createHook } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tenantStream } from '../../domain/tenant/streams.js';
import type { Principal } from '../../auth/principal.js';
import { RateLimitedError } from '../../auth/errors.js';
import { createIdentityHarness, GOOD_PASSWORD, request, uniqueEmail, type IdentityHarness } from '../support/identity-harness.js';

describe('api keys', () => {
  let h: IdentityHarness;
  let admin: Principal;

  beforeAll(async () => {
    h = await createIdentityHarness();
    const signup = await h.identity.signup({ email: uniqueEmail('keys'), password: GOOD_PASSWORD }, request());
    admin = (await h.identity.authenticate(signup.accessToken)).principal;
  });
  afterAll(async () => h.dispose());

  it('shows the key once, stores only its hash, and records ApiKeyIssued without it', async () => {
    const issued = await h.identity.issueApiKey(admin, { name: 'ingest' }, request());
    expect(issued.key).toMatch(/^chk_[A-Za-z0-9_-]{43}$/);
    expect(issued.displayPrefix).toBe(issued.key.slice(0, 12));
    const rows = await h.knex('auth_api_keys').select('*');
    expect(JSON.stringify(rows)).not.toContain(issued.key);
    const listed = await h.identity.listApiKeys(admin);
    expect(listed.find((key) => key.id === issued.id)).not.toHaveProperty('key');
    const events = await h.store.readStream(tenantStream(admin.tenantId));
    const issuedEvent = events.find((event) => event.type === 'ApiKeyIssued');
    expect(issuedEvent?.data).toMatchObject({ keyId: issued.id, name: 'ingest', displayPrefix: issued.displayPrefix });
    expect(JSON.stringify(events.map((event) => event.data))).not.toContain(issued.key);
  });

  it('authenticates by the key’s hash as its tenant, and stops after revocation', async () => {
    const issued = await h.identity.issueApiKey(admin, { name: 'machine' }, request());
    await expect(h.identity.authenticateApiKey(issued.key)).resolves.toMatchObject({ principal: { kind: 'apiKey', keyId: issued.id, tenantId: admin.tenantId } });
    await expect(h.identity.authenticateApiKey(`${issued.key}x`)).rejects.toMatchObject({ code: 'invalid_api_key' });
    await h.identity.revokeApiKey(admin, issued.id, request());
    await expect(h.identity.authenticateApiKey(issued.key)).rejects.toMatchObject({ code: 'invalid_api_key' });
    const types = (await h.store.readStream(tenantStream(admin.tenantId))).map((event) => event.type);
    expect(types).toContain('ApiKeyRevoked');
  });

  it('limits each key by its own rate', async () => {
    const slow = await h.identity.issueApiKey(admin, { name: 'slow', rateLimitPerMinute: 2 }, request());
    const fast = await h.identity.issueApiKey(admin, { name: 'fast', rateLimitPerMinute: 100 }, request());
    await h.identity.authenticateApiKey(slow.key);
    await h.identity.authenticateApiKey(slow.key);
    const refused = await h.identity.authenticateApiKey(slow.key).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 5; i++) await h.identity.authenticateApiKey(fast.key);
  });

  it('counts keys of any number of distinct rates in one limiter: no store (and no 5-minute cleanup timer) per rate', async () => {
    // rate-limiter-flexible's PostgreSQL store starts a 5-minute DELETE timer when it is built; one per distinct rate used to pile up, never freed.
    const fiveMinuteTimers: number[] = [];
    const hook = createHook({
      init(_id, type, _trigger, resource) {
        if (type === 'Timeout' && (resource as { _idleTimeout?: number })._idleTimeout === 300_000) fiveMinuteTimers.push(1);
      },
    });
    const keys = [];
    for (let i = 0; i < 30; i++) keys.push(await h.identity.issueApiKey(admin, { name: `rate-${i}`, rateLimitPerMinute: i + 1 }, request()));
    hook.enable();
    try {
      for (const key of keys) await h.identity.authenticateApiKey(key.key);
    } finally {
      hook.disable();
    }
    expect(fiveMinuteTimers).toHaveLength(0);
    // Each key still has its own limit: the one with 1 a minute is spent, the one with 2 is not.
    await expect(h.identity.authenticateApiKey(keys[0]!.key)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(h.identity.authenticateApiKey(keys[1]!.key)).resolves.toBeDefined();
    await expect(h.identity.authenticateApiKey(keys[1]!.key)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('lets only admins manage keys, and not with an api key', async () => {
    const memberSignup = await h.identity.signup({ email: uniqueEmail('nokeys'), password: GOOD_PASSWORD }, request());
    const other = (await h.identity.authenticate(memberSignup.accessToken)).principal;
    const issued = await h.identity.issueApiKey(admin, { name: 'x' }, request());
    // An admin of another tenant cannot revoke this tenant's key: it is not in their tenant.
    await expect(h.identity.revokeApiKey(other, issued.id, request())).rejects.toMatchObject({ code: 'api_key_not_found' });
    const { principal: keyPrincipal } = await h.identity.authenticateApiKey(issued.key);
    await expect(h.identity.issueApiKey(keyPrincipal, { name: 'y' }, request())).rejects.toMatchObject({ code: 'user_required' });
  });
});
