import type { Actor } from '../../domain/shared/metadata.js';
import type { CommandContext } from '../../commands/metadata.js';
import type { Runtime } from '../../commands/runtime.js';
import type { RateLimitReport } from '../rate-limit/limit-state.js';

/** What the HTTP layer knows about the request behind an operation. */
export interface RequestInfo {
  requestId: string | null;
  /** Continues a causal chain the client started (X-Correlation-Id); a fresh one otherwise. */
  correlationId?: string;
  ip: string | null;
  userAgent: string | null;
  /** Told where the request stands against each limit it counts against (RateLimit-* headers). */
  rateLimits?: RateLimitReport | undefined;
}

export function commandContext(runtime: Runtime, request: RequestInfo, actor: Actor, tenantId: string | null): CommandContext {
  const correlationId = request.correlationId ?? request.requestId ?? runtime.newId();
  return { actor, tenantId, correlationId, causationId: request.requestId ?? correlationId, requestId: request.requestId };
}

/** For steps taken before anyone is authenticated (signup, a failed login). */
export const ANONYMOUS_ACTOR: Actor = { type: 'system', id: 'identity' };
