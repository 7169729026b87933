/** `user:<id>` as metadata.actor carries it, or '–'. */
export function actorOf(metadata: Record<string, unknown>): string {
  const actor = metadata.actor as { type?: unknown; id?: unknown } | undefined;
  return actor && typeof actor.type === 'string' && typeof actor.id === 'string' ? `${actor.type}:${actor.id}` : '–';
}

export function occurredAtOf(metadata: Record<string, unknown>, fallback: string): string {
  return typeof metadata.occurredAt === 'string' ? metadata.occurredAt : fallback;
}
