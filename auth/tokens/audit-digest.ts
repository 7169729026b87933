import { CompactSign, compactVerify, createLocalJWKSet, errors as joseErrors, type JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { ValidationError } from '../../domain/shared/errors.js';
import { KEY_ALGORITHMS, type KeyStore } from './key-store.js';

/**
 * A signed statement "the audit chain's hash at log position `position` is
 * `hash`", like a QLDB digest or a Certificate Transparency signed tree head.
 * `signature` is a compact JWS (ES256, the installation's signing key, whose
 * public half is in /.well-known/jwks.json) over the JSON
 * `{"position","hash","signedAt"}`: anyone holding the digest and the JWKS
 * checks it with any JOSE library, and later proves history up to
 * `position` unchanged by recomputing the chain.
 */
export interface AuditDigest {
  position: string;
  hash: string;
  signedAt: string;
  signature: string;
  keyId: string;
}

/** The JWS `typ`, so a digest is never taken for an access token (which needs `at+jwt`) nor the other way round. */
export const AUDIT_DIGEST_TYPE = 'chronicle-audit-digest+jws';

export const auditDigestSchema = z.object({
  position: z.string().regex(/^\d{1,40}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  signedAt: z.string().datetime(),
  signature: z.string().min(1).max(4096),
  keyId: z.string().min(1).max(200),
});

const signedPayloadSchema = z.object({ position: z.string(), hash: z.string(), signedAt: z.string() }).strict();

/** Why a digest is refused: not a digest, a bad signature, or fields that are not the ones signed. */
export class InvalidDigestError extends ValidationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: 'invalid_digest', ...options });
  }
}

export async function signAuditDigest(keyStore: KeyStore, chainHead: { position: bigint; hash: string }, signedAt: Date): Promise<AuditDigest> {
  const key = await keyStore.activeKey('sig');
  const payload = { position: String(chainHead.position), hash: chainHead.hash, signedAt: signedAt.toISOString() };
  const signature = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: AUDIT_DIGEST_TYPE })
    .sign(key.privateKey);
  return { ...payload, signature, keyId: key.kid };
}

/** Checks a digest (as read from a file: anything) against a JWKS; answers its position and hash, or throws InvalidDigestError. */
export async function verifyAuditDigest(input: unknown, jwks: JSONWebKeySet): Promise<{ position: bigint; hash: string; signedAt: string }> {
  const parsed = auditDigestSchema.safeParse(input);
  if (!parsed.success) throw new InvalidDigestError(`not an audit digest: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'digest'}: ${issue.message}`).join('; ')}`);
  const digest = parsed.data;
  let signed: Awaited<ReturnType<typeof compactVerify>>;
  try {
    signed = await compactVerify(digest.signature, createLocalJWKSet(jwks), { algorithms: [KEY_ALGORITHMS.sig] });
  } catch (error) {
    const reason = error instanceof joseErrors.JWKSNoMatchingKey ? 'no key of this installation has that keyId' : 'the signature does not verify';
    throw new InvalidDigestError(`digest refused: ${reason}`, { cause: error });
  }
  if (signed.protectedHeader.typ !== AUDIT_DIGEST_TYPE) throw new InvalidDigestError(`digest refused: the JWS is not an audit digest (typ ${String(signed.protectedHeader.typ)})`);
  if (signed.protectedHeader.kid !== digest.keyId) throw new InvalidDigestError('digest refused: keyId is not the key that signed it');
  const payload = signedPayloadSchema.safeParse(parseJson(new TextDecoder().decode(signed.payload)));
  if (!payload.success || payload.data.position !== digest.position || payload.data.hash !== digest.hash || payload.data.signedAt !== digest.signedAt) {
    throw new InvalidDigestError('digest refused: position, hash or signedAt differ from what was signed');
  }
  return { position: BigInt(digest.position), hash: digest.hash, signedAt: digest.signedAt };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
