import { CompactEncrypt, compactDecrypt, createLocalJWKSet, SignJWT, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { roleSchema, type Role } from '../../domain/user/roles.js';
import type { Runtime } from '../../commands/runtime.js';
import { invalidToken } from '../errors.js';
import { KEY_ALGORITHMS, type KeyStore, type ServerKey } from './key-store.js';
import { VerifiedTokens } from './verified-tokens.js';

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  /** 900 (15 minutes) in production. */
  ttlSeconds: number;
  clockToleranceSeconds: number;
  /** Wrap each JWT in a JWE to the server's own key, so clients cannot read the claims. */
  encrypt: boolean;
}

export interface AccessTokenSubject {
  userId: string;
  tenantId: string;
  roles: readonly Role[];
  sessionId: string;
}

export interface AccessClaims extends AccessTokenSubject {
  tokenId: string;
  issuedAt: Date;
  expiresAt: Date;
}

export const ACCESS_TOKEN_TYPE = 'at+jwt';
const ENCRYPTION = 'A256GCM';

const claimsSchema = z.object({
  sub: z.string().min(1),
  jti: z.string().min(1),
  iat: z.number(),
  exp: z.number(),
  sid: z.string().min(1),
  tenant: z.string().min(1),
  roles: z.array(roleSchema),
});

/**
 * Access tokens (RFC 9068 shape): ES256 JWTs with `typ: at+jwt`, verified
 * with one explicit algorithm, issuer, audience and type, so `alg: none`,
 * HS256-with-the-public-key and tokens meant for someone else all fail the
 * same way. Keys come from the KeyStore; build with `AccessTokens.create`.
 */
export class AccessTokens {
  private readonly verified = new VerifiedTokens();

  private constructor(
    private readonly settings: AccessTokenSettings,
    private readonly runtime: Runtime,
    private readonly signingKey: ServerKey,
    private readonly encryptionKey: ServerKey | undefined,
    private readonly verificationKeys: ReturnType<typeof createLocalJWKSet>,
  ) {}

  static async create(keyStore: KeyStore, settings: AccessTokenSettings, runtime: Runtime): Promise<AccessTokens> {
    const signingKey = await keyStore.activeKey('sig');
    const encryptionKey = settings.encrypt ? await keyStore.activeKey('enc') : undefined;
    const jwks = createLocalJWKSet({ keys: await keyStore.verificationKeys() });
    return new AccessTokens(settings, runtime, signingKey, encryptionKey, jwks);
  }

  async sign(subject: AccessTokenSubject): Promise<{ token: string; expiresIn: number; claims: AccessClaims }> {
    const issuedAt = Math.floor(this.runtime.now().getTime() / 1000);
    const expiresAt = issuedAt + this.settings.ttlSeconds;
    const tokenId = this.runtime.newId();
    const jwt = await new SignJWT({ tenant: subject.tenantId, roles: [...subject.roles], sid: subject.sessionId })
      .setProtectedHeader({ alg: this.signingKey.alg, typ: ACCESS_TOKEN_TYPE, kid: this.signingKey.kid })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setSubject(subject.userId)
      .setJti(tokenId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.signingKey.privateKey);
    const token = this.encryptionKey ? await this.wrap(jwt, this.encryptionKey) : jwt;
    const claims: AccessClaims = { ...subject, tokenId, issuedAt: new Date(issuedAt * 1000), expiresAt: new Date(expiresAt * 1000) };
    return { token, expiresIn: this.settings.ttlSeconds, claims };
  }

  /**
   * Throws AuthenticationError (`invalid_token`) for any token that is not
   * exactly what we issue. A token verified before is not verified again, only
   * checked against the clock as jose would (expired once `exp` is at or
   * before now minus the tolerance).
   */
  async verify(token: string): Promise<AccessClaims> {
    const known = this.verified.get(token);
    if (known) {
      const now = Math.floor(this.runtime.now().getTime() / 1000);
      if (known.expiresAt.getTime() / 1000 > now - this.settings.clockToleranceSeconds) return known;
      this.verified.forget(token);
      throw invalidToken();
    }
    const claims = await this.verifyAnew(token);
    this.verified.remember(token, claims);
    return claims;
  }

  private async verifyAnew(token: string): Promise<AccessClaims> {
    try {
      const jwt = this.encryptionKey ? await this.unwrap(token, this.encryptionKey) : token;
      const { payload } = await jwtVerify(jwt, this.verificationKeys, {
        algorithms: [KEY_ALGORITHMS.sig],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: this.settings.clockToleranceSeconds,
        currentDate: this.runtime.now(),
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
      });
      return toClaims(payload);
    } catch (error) {
      throw invalidToken(error);
    }
  }

  private wrap(jwt: string, key: ServerKey): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(jwt))
      .setProtectedHeader({ alg: key.alg, enc: ENCRYPTION, cty: 'JWT', kid: key.kid })
      .encrypt(key.publicKey);
  }

  private async unwrap(token: string, key: ServerKey): Promise<string> {
    const { plaintext } = await compactDecrypt(token, key.privateKey, {
      keyManagementAlgorithms: [key.alg],
      contentEncryptionAlgorithms: [ENCRYPTION],
    });
    return new TextDecoder().decode(plaintext);
  }
}

function toClaims(payload: JWTPayload): AccessClaims {
  const claims = claimsSchema.parse(payload);
  return {
    userId: claims.sub,
    tenantId: claims.tenant,
    roles: claims.roles,
    sessionId: claims.sid,
    tokenId: claims.jti,
    issuedAt: new Date(claims.iat * 1000),
    expiresAt: new Date(claims.exp * 1000),
  };
}
