import type { Actor } from '../../domain/shared/metadata.js';
import type { CommandOrigin } from '../../commands/metadata.js';
import type { RateLimitReport } from '../rate-limit/limit-state.js';

/** What the HTTP layer knows about the request behind an operation (built by api/request-info.ts). */
export interface RequestInfo extends CommandOrigin {
  ip: string | null;
  userAgent: string | null;
  /** Told where the request stands against each limit it counts against (RateLimit-* headers). */
  rateLimits?: RateLimitReport | undefined;
}

/** For steps taken before anyone is authenticated (signup, a failed login). */
export const ANONYMOUS_ACTOR: Actor = { type: 'system', id: 'identity' };
