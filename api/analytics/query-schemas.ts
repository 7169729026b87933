import { z } from 'zod';

/**
 * Request and answer shapes of the analytics queries. Times are ISO 8601
 * with an offset (`2026-12-01T00:00:00Z`); the ranges' further checks
 * (from before to, the longest span, the zone) are in time-range.ts.
 */
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset, e.g. 2026-12-01T00:00:00Z' });
const from = instant.optional().meta({ description: 'Start of the range (included), floored to the minute; default: the interval’s default span before `to`' });
const to = instant.optional().meta({ description: 'End of the range (excluded), floored to the minute; default: the end of the minute in progress' });
const tz = z.string().max(64).optional().meta({ description: 'IANA time zone the buckets are cut in (`Europe/Paris`); default UTC', example: 'Europe/Paris' });

export const countsQuerySchema = z.object({
  event: z.string().min(1).max(200).optional().meta({ description: 'One event (a track name, or `$page`, `$identify`...); every event summed when absent' }),
  from,
  to,
  interval: z.enum(['minute', 'hour', 'day']).default('hour').meta({ description: 'Bucket size; default hour' }),
  tz,
});

export const topEventsQuerySchema = z.object({
  from,
  to,
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .optional()
    .meta({ description: 'How many events, 1 to 100; 10 unless told', type: 'integer' }),
});

export const activeUsersQuerySchema = z.object({
  interval: z.enum(['day', 'month']).default('day').meta({ description: 'Daily or monthly active users; default day' }),
  from,
  to,
  tz,
});

const range = { from: z.string(), to: z.string() };

export const countsAnswerSchema = z
  .object({
    event: z.string().nullable(),
    interval: z.enum(['minute', 'hour', 'day']),
    timeZone: z.string(),
    ...range,
    buckets: z.array(z.object({ start: z.string(), count: z.number().int() })),
  })
  .meta({ id: 'AnalyticsCounts' });

export const topEventsAnswerSchema = z
  .object({ ...range, items: z.array(z.object({ event: z.string(), count: z.number().int() })) })
  .meta({ id: 'AnalyticsTopEvents' });

export const activeUsersAnswerSchema = z
  .object({
    interval: z.enum(['day', 'month']),
    timeZone: z.string(),
    ...range,
    items: z.array(z.object({ period: z.string().meta({ description: 'The day, or the month’s first day, in the zone' }), start: z.string(), activeUsers: z.number().int() })),
  })
  .meta({ id: 'AnalyticsActiveUsers' });

export const exportQuerySchema = z.object({
  from: instant.optional().meta({ description: 'Start of the range (included); default 30 days before `to`' }),
  to: instant.optional().meta({ description: 'End of the range (excluded); default now' }),
  format: z.enum(['ndjson', 'csv']).default('ndjson').meta({ description: 'ndjson (one JSON object a line) or csv; default ndjson' }),
});
