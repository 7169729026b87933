import { z } from 'zod';
import { pageQuerySchema, pageSchema } from '../pagination.js';

export const quarantineListQuerySchema = z
  .object({
    status: z.enum(['resolved', 'unresolved']).optional().meta({ description: '`unresolved`: not yet accepted in a corrected form; `resolved`: retried and accepted; both when absent' }),
  })
  .extend(pageQuerySchema.shape);

export const quarantineParamsSchema = z.object({ id: z.uuid({ error: 'must be a quarantine id (a UUID)' }) });

export const quarantineEntrySchema = z
  .object({
    id: z.string().meta({ description: 'The quarantine id, for retry' }),
    status: z.enum(['resolved', 'unresolved']),
    reasons: z.array(z.object({ path: z.string(), message: z.string() })),
    raw: z.string().meta({ description: 'The event as sent, as JSON text, cut at ANALYTICS_QUARANTINE_RAW_BYTES' }),
    truncated: z.boolean(),
    keyId: z.string().nullable(),
    source: z.string().nullable(),
    receivedAt: z.string(),
    position: z.string(),
    retriedAt: z.string().nullable(),
    retriedMessageId: z.string().nullable(),
  })
  .meta({ id: 'AnalyticsQuarantineEntry' });

export const quarantinePageSchema = pageSchema(quarantineEntrySchema, 'AnalyticsQuarantinePage');
