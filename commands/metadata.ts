import type { Actor, EventMetadata } from '../domain/shared/metadata.js';
import type { Runtime } from './runtime.js';

/** Who asks and on whose behalf: the part of each event's metadata the caller knows. */
export interface CommandContext {
  actor: Actor;
  /** Null for installation-wide commands. */
  tenantId: string | null;
  correlationId: string;
  /** What caused this command: a request id, or the id of an event a process reacted to. */
  causationId: string;
  requestId: string | null;
}

/** Where a command comes from, as far as its metadata cares: the request behind it, if any. */
export interface CommandOrigin {
  requestId: string | null;
  /** Continues a causal chain the client started (X-Correlation-Id); a fresh one otherwise. */
  correlationId?: string;
}

/** The context of a command a request asked for: its correlation continues the client's chain, its cause is the request. */
export function commandContext(runtime: Runtime, origin: CommandOrigin, actor: Actor, tenantId: string | null): CommandContext {
  const correlationId = origin.correlationId ?? origin.requestId ?? runtime.newId();
  return { actor, tenantId, correlationId, causationId: origin.requestId ?? correlationId, requestId: origin.requestId };
}

export function buildMetadata(context: CommandContext, eventId: string, runtime: Runtime, schemaVersion: number): EventMetadata {
  return {
    eventId,
    correlationId: context.correlationId,
    causationId: context.causationId,
    actor: context.actor,
    tenantId: context.tenantId,
    requestId: context.requestId,
    occurredAt: runtime.now().toISOString(),
    schemaVersion,
  };
}

/** A command context started by the system itself (no request), correlated by a fresh id. */
export function systemContext(runtime: Runtime, tenantId: string | null = null): CommandContext {
  const id = runtime.newId();
  return { actor: { type: 'system', id: 'chronicle' }, tenantId, correlationId: id, causationId: id, requestId: null };
}

/** The same context with another tenant, e.g. once signup has chosen the new user's tenant. */
export function withTenant(context: CommandContext, tenantId: string | null): CommandContext {
  return { ...context, tenantId };
}
