import { createHash } from 'node:crypto';

/** A limit: so many attempts per window, and optionally a block once it is passed. */
export interface RateLimit {
  /** Attempts allowed per window. */
  points: number;
  windowSeconds: number;
  /** Once exceeded, refuse for this long (0: until the window ends). */
  blockSeconds?: number;
}

/** How a limit is known to the people who hit it and to the operator who sets it. */
export interface LimitName {
  /** snake_case, in answers (`details[].limit`), e.g. `login_per_ip`. */
  name: string;
  /** What sets it, e.g. `RATE_LIMIT_LOGIN_PER_IP`. */
  variable: string;
}

/** Where one key of a limit stands after an attempt: what the RateLimit-* headers and a 429's details say. */
export interface LimitState extends LimitName {
  points: number;
  windowSeconds: number;
  /** Attempts left in this window (0 once refused). */
  remaining: number;
  /** Seconds until the window (or the block) ends. */
  resetSeconds: number;
}

/**
 * Told every limit a request counted against, refused or not, so the HTTP
 * layer can answer RateLimit-* headers; the identity layer knows nothing of
 * headers.
 */
export interface RateLimitReport {
  report(state: LimitState): void;
}

/** Of two limits a request counted against, the one to show: fewer attempts left, then the smaller limit, then the later reset. */
export function tighter(a: LimitState, b: LimitState): LimitState {
  if (a.remaining !== b.remaining) return a.remaining < b.remaining ? a : b;
  if (a.points !== b.points) return a.points < b.points ? a : b;
  return a.resetSeconds >= b.resetSeconds ? a : b;
}

/** Where a key stands after `consumed` of `points` attempts, `msBeforeReset` before its window (or block) ends. */
export function limitState(id: LimitName, windowSeconds: number, points: number, consumed: number, msBeforeReset: number): LimitState {
  return {
    ...id,
    points,
    windowSeconds,
    remaining: Math.max(0, points - consumed),
    resetSeconds: Math.max(1, Math.ceil(msBeforeReset / 1000)),
  };
}

/** A limited key (an email, an address, a key id) as stored: hashed, so the counters' table holds none of them. */
export function hashLimitKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}
