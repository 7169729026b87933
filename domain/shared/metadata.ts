import { z } from 'zod';

export const actorSchema = z.object({
  type: z.enum(['user', 'apiKey', 'system']),
  id: z.string().min(1),
});
export type Actor = z.infer<typeof actorSchema>;

/** The metadata every appended event carries (CONTRACT.md section 2). */
export const eventMetadataSchema = z.object({
  eventId: z.uuid(),
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  actor: actorSchema,
  /** Null for installation-wide events that belong to no tenant. */
  tenantId: z.string().min(1).nullable(),
  requestId: z.string().min(1).nullable(),
  occurredAt: z.iso.datetime({ offset: true }),
  schemaVersion: z.number().int().positive(),
});
export type EventMetadata = z.infer<typeof eventMetadataSchema>;

export const SYSTEM_ACTOR: Actor = { type: 'system', id: 'chronicle' };
