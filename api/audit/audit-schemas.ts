import { z } from 'zod';
import { MAX_NAME_LENGTH } from '../../infra/event-store/names.js';
import { recordedEventJsonSchema } from '../../infra/event-store/event-json.js';
import { pageQuerySchema, pageSchema } from '../pagination.js';
import { storableText } from '../text-schemas.js';

/** Request and answer shapes of the audit routes (CONTRACT.md section 3, "Audit"). */
const name = (description: string) => storableText(z.string().min(1).max(MAX_NAME_LENGTH)).optional().meta({ description });
const time = (description: string) =>
  z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 time with a zone, e.g. 2026-12-01T00:00:00Z' })
    .transform((text) => new Date(text))
    .optional()
    .meta({ description, type: 'string', format: 'date-time' });

const direction = z
  .enum(['forwards', 'backwards'])
  .default('forwards')
  .meta({ description: '`forwards`: oldest first (log order, the default); `backwards`: newest first. A cursor continues in the direction it was made for' });

export const auditEventsQuerySchema = z
  .object({
    actor: name('Only events done by this actor id (a user id, an API key id, or `chronicle` for the system)'),
    tenant: name('Only events of this tenant (yours, unless you are an operator: other tenants show nothing)'),
    stream: name('Only events of this stream, e.g. `post-<uuid>`'),
    category: name('Only events of streams of this category, e.g. `post`, `collection`, `user`'),
    type: name('Only events of this type, e.g. `UserLoginFailed`'),
    correlation: name('Only events of this correlation id'),
    from: time('Only events that occurred at or after this time (metadata occurredAt)'),
    to: time('Only events that occurred before this time'),
    direction,
  })
  .extend(pageQuerySchema.shape);

export const auditStreamParamsSchema = z.object({
  stream: storableText(z.string().min(1).max(MAX_NAME_LENGTH)).meta({ description: 'The stream, `<category>-<id>`' }),
});

export const auditStreamQuerySchema = z.object({ direction }).extend(pageQuerySchema.shape);

export const auditCorrelationParamsSchema = z.object({
  correlationId: storableText(z.string().min(1).max(MAX_NAME_LENGTH)).meta({ description: 'A correlation id, as event metadata carries it' }),
});

export const auditEventPageSchema = pageSchema(recordedEventJsonSchema, 'AuditEventPage');

export const correlatedEventSchema = recordedEventJsonSchema
  .extend({
    causedBy: z.uuid().nullable().meta({ description: 'The event of this chain that caused this one; null for a root (caused by a request or command)' }),
    caused: z.array(z.uuid()).meta({ description: 'The events this one caused, in log order' }),
    depth: z.number().int().min(0).meta({ description: 'Steps from its root' }),
  })
  .meta({ id: 'CorrelatedEvent' });

export const correlationSchema = z
  .object({
    correlationId: z.string(),
    events: z.array(correlatedEventSchema).meta({ description: 'In log order; causedBy and caused link them as a tree' }),
    truncated: z.boolean().meta({ description: 'Only the first events are given: the chain has more' }),
  })
  .meta({ id: 'Correlation' });
