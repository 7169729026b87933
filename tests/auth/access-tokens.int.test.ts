import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { AuthenticationError } from '../../auth/errors.js';
import type { AuthResult } from '../../auth/identity/session-issuer.js';
import { AccessTokens } from '../../auth/tokens/access-tokens.js';
import { KeyStore } from '../../auth/tokens/key-store.js';
import { createIdentityHarness, GOOD_PASSWORD, request, TEST_TOKENS, uniqueEmail, type IdentityHarness } from '../support/identity-harness.js';

describe('access tokens', () => {
  let h: IdentityHarness;
  let session: AuthResult;

  beforeAll(async () => {
    h = await createIdentityHarness();
    session = await h.identity.signup({ email: uniqueEmail('tokens'), password: GOOD_PASSWORD }, request());
  });
  afterAll(async () => h.dispose());

  /** A token with every claim right, signed by the server's own key unless told otherwise. */
  async function forge(changes: { issuer?: string; audience?: string } = {}): Promise<string> {
    const row = await h.knex('auth_signing_keys').where({ use: 'sig', active: true }).first<{ kid: string; private_jwk: JWK }>();
    const key = await importJWK(row.private_jwk, 'ES256');
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ tenant: session.user.tenantId, roles: ['admin', 'operator'], sid: session.sessionId })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: row.kid })
      .setIssuer(changes.issuer ?? TEST_TOKENS.issuer)
      .setAudience(changes.audience ?? TEST_TOKENS.audience)
      .setSubject(session.user.id)
      .setJti('forged')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(key);
  }

  async function expectRejected(token: string): Promise<void> {
    await expect(h.identity.authenticate(token)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(h.identity.authenticate(token)).rejects.toBeInstanceOf(AuthenticationError);
  }

  it('carries iss, aud, sub, exp, iat, jti, tenant, roles and the session id, typed at+jwt with a key id', async () => {
    const header = decodeProtectedHeader(session.accessToken);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    const claims = decodeJwt(session.accessToken);
    expect(claims).toMatchObject({
      iss: TEST_TOKENS.issuer,
      aud: TEST_TOKENS.audience,
      sub: session.user.id,
      tenant: session.user.tenantId,
      roles: session.user.roles,
      sid: session.sessionId,
      jti: expect.any(String),
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
    expect(session.expiresIn).toBe(900);
    const { principal } = await h.identity.authenticate(session.accessToken);
    expect(principal).toEqual({ kind: 'user', userId: session.user.id, tenantId: session.user.tenantId, roles: session.user.roles, sessionId: session.sessionId });
  });

  it('publishes the public signing key, with its kid, and nothing private', async () => {
    const jwks = await h.identity.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: decodeProtectedHeader(session.accessToken).kid });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('keeps the key across restarts: a second service over the same database verifies the first one’s tokens', async () => {
    const restarted = await h.createService();
    await expect(restarted.authenticate(session.accessToken)).resolves.toMatchObject({ principal: { userId: session.user.id } });
  });

  it('rejects alg none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsecured = new UnsecuredJWT({ tenant: session.user.tenantId, roles: ['operator'], sid: session.sessionId })
      .setIssuer(TEST_TOKENS.issuer)
      .setAudience(TEST_TOKENS.audience)
      .setSubject(session.user.id)
      .setJti('none')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .encode();
    await expectRejected(unsecured);
  });

  it('rejects algorithm confusion: HS256 signed with the public key as the secret', async () => {
    const [jwk] = (await h.identity.jwks()).keys;
    const publicPem = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const now = Math.floor(Date.now() / 1000);
    const confused = await new SignJWT({ tenant: session.user.tenantId, roles: ['operator'], sid: session.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: jwk?.kid ?? '' })
      .setIssuer(TEST_TOKENS.issuer)
      .setAudience(TEST_TOKENS.audience)
      .setSubject(session.user.id)
      .setJti('confused')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(String(publicPem)));
    await expectRejected(confused);
  });

  it('accepts a correctly forged control token, so the rejections below are about one claim each', async () => {
    await expect(h.identity.authenticate(await forge())).resolves.toBeDefined();
  });

  it('rejects a wrong issuer', async () => {
    await expectRejected(await forge({ issuer: 'https://evil.example' }));
  });

  it('rejects a wrong audience', async () => {
    await expectRejected(await forge({ audience: 'someone-else' }));
  });

  it('rejects an expired token', async () => {
    const fresh = await h.identity.login({ email: session.user.email, password: GOOD_PASSWORD }, request());
    h.clock.advance((900 + TEST_TOKENS.clockToleranceSeconds + 1) * 1000);
    try {
      await expectRejected(fresh.accessToken);
    } finally {
      h.clock.advance(-(900 + TEST_TOKENS.clockToleranceSeconds + 1) * 1000);
    }
  });

  it('verifies a token’s signature once, then only checks it against the clock, and takes only its exact text as verified', async () => {
    const tokens = await AccessTokens.create(new KeyStore(h.knex), TEST_TOKENS, h.runtime);
    const { token } = await tokens.sign({ userId: session.user.id, tenantId: session.user.tenantId, roles: ['member'], sessionId: session.sessionId });
    const first = await tokens.verify(token);
    // The same claims again: remembered, not verified anew.
    expect(await tokens.verify(token)).toBe(first);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    await expect(tokens.verify(`${header}.${Buffer.from(JSON.stringify({ ...claims, roles: ['operator'] })).toString('base64url')}.${signature}`)).rejects.toMatchObject({ code: 'invalid_token' });
    // Seconds before and after the end of the tolerance, with room for a slow machine between signing and checking.
    const nearlyExpired = (900 + TEST_TOKENS.clockToleranceSeconds - 20) * 1000;
    h.clock.advance(nearlyExpired);
    try {
      expect(await tokens.verify(token)).toBe(first);
      h.clock.advance(40_000);
      await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'invalid_token' });
    } finally {
      h.clock.advance(-nearlyExpired - 40_000);
    }
  });

  it('rejects a tampered token', async () => {
    const [header, payload, signature] = session.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const tampered = Buffer.from(JSON.stringify({ ...claims, tenant: 'someone-elses-tenant' })).toString('base64url');
    await expectRejected(`${header}.${tampered}.${signature}`);
  });

  it('wraps tokens in JWE when configured: clients cannot read the claims, the server can', async () => {
    const encrypting = await h.createService({ tokens: { ...TEST_TOKENS, encrypt: true } });
    const result = await encrypting.login({ email: session.user.email, password: GOOD_PASSWORD }, request());
    expect(result.accessToken.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(result.accessToken)).toMatchObject({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT' });
    expect(() => decodeJwt(result.accessToken)).toThrow();
    expect(result.accessToken).not.toContain(session.user.id);
    await expect(encrypting.authenticate(result.accessToken)).resolves.toMatchObject({ principal: { userId: session.user.id, sessionId: result.sessionId } });
    // With encryption on, a bare signed token is not what we issue.
    await expect(encrypting.authenticate(session.accessToken)).rejects.toMatchObject({ code: 'invalid_token' });
  });
});
