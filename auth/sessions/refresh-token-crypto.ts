import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'crt_';
const TOKEN_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEAL_INFO = 'chronicle refresh token successor';

/** 256 bits from the CSPRNG, prefixed so a leaked token is recognisable in a secret scanner. */
export function newRefreshToken(): string {
  return PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
}

/** A high-entropy token needs no slow hash: SHA-256 is enough to make the stored value useless. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Encrypts a token's successor under a key derived from the token itself, so
 * that during the grace after a rotation the holder of the old token (and
 * only they: the table holds its SHA-256, not the token) can be given the
 * same new token again instead of tripping reuse detection.
 */
export function sealSuccessor(successor: string, presented: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(presented), iv);
  const sealed = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

export function openSuccessor(sealed: string, presented: string): string | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(presented), bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function sealingKey(presented: string): Buffer {
  return Buffer.from(hkdfSync('sha256', presented, Buffer.alloc(0), SEAL_INFO, 32));
}
