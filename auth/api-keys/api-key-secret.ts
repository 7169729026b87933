import { createHash, randomBytes } from 'node:crypto';

/** Recognisable in logs and by secret scanners: "chronicle key". */
export const API_KEY_PREFIX = 'chk_';
const DISPLAY_LENGTH = API_KEY_PREFIX.length + 8;

export function newApiKey(): { key: string; displayPrefix: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, displayPrefix: key.slice(0, DISPLAY_LENGTH) };
}

/** 256 random bits need no slow hash; SHA-256 lets each request find its key by index. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function looksLikeApiKey(text: string): boolean {
  return text.startsWith(API_KEY_PREFIX) && text.length > DISPLAY_LENGTH;
}
