import type { Response } from 'express';
import { tighter, type LimitState, type RateLimitReport } from '../auth/rate-limit/limit-state.js';

/**
 * The RateLimit header fields of the IETF draft (draft-ietf-httpapi-ratelimit-headers-06,
 * as express-rate-limit's `standardHeaders: 'draft-6'` sends them): the limit, what is
 * left of it, seconds until it resets, and the policy (`points;w=window`).
 */
export function rateLimitHeaderFields(state: Pick<LimitState, 'points' | 'windowSeconds' | 'remaining' | 'resetSeconds'>): Record<string, string> {
  return {
    'RateLimit-Policy': `${state.points};w=${state.windowSeconds}`,
    'RateLimit-Limit': String(state.points),
    'RateLimit-Remaining': String(state.remaining),
    'RateLimit-Reset': String(Math.max(1, state.resetSeconds)),
  };
}

interface RateLimitLocals {
  /** The latest state of each limit the request counted against, by name. */
  rateLimitStates?: Map<string, LimitState>;
}

/**
 * Sets the RateLimit-* headers on the answer for the limits the request
 * counts against; when it counts against several (login: the IP and the
 * account), the tightest is shown. A limit reported again (an account's
 * attempts, cleared by the right password) replaces its earlier state.
 */
export function rateLimitHeaders(res: Response): RateLimitReport {
  return {
    report(state) {
      if (res.headersSent) return;
      const locals = res.locals as RateLimitLocals;
      const states = (locals.rateLimitStates ??= new Map());
      states.set(state.name, state);
      res.set(rateLimitHeaderFields([...states.values()].reduce(tighter)));
    },
  };
}
