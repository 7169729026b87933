import type { AccessClaims } from './access-tokens.js';

const DEFAULT_CAPACITY = 10_000;

/**
 * Access tokens this process has verified, by their exact text, with their
 * claims: a client sends the same token with every request for its whole
 * life (15 minutes), and checking its signature again (ECDSA, and an
 * ECDH decryption when tokens are encrypted) gives the same answer every
 * time, since the verification keys are fixed when the process starts. What
 * does change, the clock, is checked on every use (AccessTokens.verify); what
 * a token cannot say (whether its session was ended, the user's current
 * roles) is looked up per request as before.
 *
 * Bounded: the least recently used tokens are forgotten first.
 */
export class VerifiedTokens {
  private readonly tokens = new Map<string, AccessClaims>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get(token: string): AccessClaims | undefined {
    const claims = this.tokens.get(token);
    if (claims) {
      // Most recently used last: a Map iterates in insertion order.
      this.tokens.delete(token);
      this.tokens.set(token, claims);
    }
    return claims;
  }

  remember(token: string, claims: AccessClaims): void {
    this.tokens.delete(token);
    // Handed to every request that sends the token: frozen, so none can change it for the others.
    Object.freeze(claims.roles);
    this.tokens.set(token, Object.freeze(claims));
    if (this.tokens.size > this.capacity) this.tokens.delete(this.tokens.keys().next().value!);
  }

  forget(token: string): void {
    this.tokens.delete(token);
  }
}
