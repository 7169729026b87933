import { z } from 'zod';
import { actorSchema } from '../../domain/shared/metadata.js';
import { pageSchema } from '../pagination.js';

export const fieldChangeSchema = z
  .object({
    path: z.string().meta({ description: 'RFC 6901 JSON Pointer into the resource’s state, e.g. `/title` or `/members/<userId>`', example: '/title' }),
    before: z.unknown().optional().meta({ description: 'Absent when the field did not exist before this event' }),
    after: z.unknown().optional().meta({ description: 'Absent when the field no longer exists after it (a deleted post has no title)' }),
  })
  .meta({ id: 'FieldChange' });

export const historyEntrySchema = z
  .object({
    revision: z.string().meta({ description: 'The stream revision this event brought the resource to (`?asOf=` it)' }),
    position: z.string().meta({ description: 'The event’s position in the global log' }),
    type: z.string().meta({ description: 'The event type, e.g. `PostUpdated`', example: 'PostUpdated' }),
    eventId: z.string(),
    occurredAt: z.string().meta({ description: 'When it happened (metadata.occurredAt): what `?asOf=<time>` compares' }),
    recordedAt: z.string().meta({ description: 'When the log recorded it' }),
    actor: actorSchema.nullable().meta({ description: 'Who: shown to the people of the resource’s tenant, null to others' }),
    correlationId: z.string().nullable().meta({ description: 'The request or process it belongs to (GET /api/audit/correlations/:id)' }),
    causationId: z.string().nullable().meta({ description: 'The event or command that caused it' }),
    reason: z.string().optional().meta({ description: 'Why, when the event records it (`post_deleted` for a post a deletion took out of a collection)' }),
    changes: z.array(fieldChangeSchema).meta({ description: 'Field by field, what this event changed in the resource’s state' }),
  })
  .meta({ id: 'HistoryEntry' });

export const historyPageSchema = pageSchema(historyEntrySchema, 'HistoryPage');

export type HistoryEntry = z.infer<typeof historyEntrySchema>;
