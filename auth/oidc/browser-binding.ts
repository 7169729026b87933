import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Binds an OIDC login to the browser that started it (RFC 9700 4.5, 4.7):
 * a random value in that browser's cookie, whose SHA-256 the pending login
 * keeps. A callback presented by any other browser (one an attacker lured
 * to their own code and state: login CSRF) carries no value, or another.
 */
const FORMAT = /^[A-Za-z0-9_-]{43}$/;

export function newBrowserBinding(): string {
  return randomBytes(32).toString('base64url');
}

/** A value this module made; anything else in the cookie is replaced, never trusted. */
export function isBrowserBinding(value: string | null | undefined): value is string {
  return typeof value === 'string' && FORMAT.test(value);
}

export function hashBrowserBinding(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Compared as digests of equal length, in constant time. */
export function browserBindingMatches(expectedHash: string, presented: string | null): boolean {
  if (!isBrowserBinding(presented) || expectedHash === '') return false;
  const expected = Buffer.from(expectedHash, 'base64url');
  const actual = createHash('sha256').update(presented).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
