import { z } from 'zod';
import type { AsOf } from '../../domain/audit/as-of.js';

const REVISION = /^\d{1,19}$/;
const isoTime = z.iso.datetime({ offset: true });

/**
 * `?asOf=`: a stream revision (`3`) or an ISO 8601 time with its offset
 * (`2026-01-31T12:00:00Z`, `2026-01-31T13:00:00+01:00`). Anything else is a
 * malformed request (400 invalid_query).
 */
export const asOfParameter = z
  .string()
  .transform((text, context): AsOf => {
    if (REVISION.test(text)) return { kind: 'revision', revision: BigInt(text) };
    const at = new Date(text);
    if (isoTime.safeParse(text).success && !Number.isNaN(at.getTime())) return { kind: 'time', at };
    context.addIssue({ code: 'custom', message: 'must be a revision (0, 1, ...) or an ISO 8601 time with an offset, e.g. 2026-01-31T12:00:00Z' });
    return z.NEVER;
  })
  .meta({
    type: 'string',
    description:
      'The resource as it was: after the event at this stream revision (`3`), or at this time (`2026-01-31T12:00:00Z`: after every event that had occurred by then). ' +
      'Before its first event: 404 `not_yet_created`; a revision the stream has not reached: 404 `revision_not_found`; a point after its deletion: 410 `<resource>_deleted`.',
    example: '2026-01-31T12:00:00Z',
  });

export const asOfQuerySchema = z.object({ asOf: asOfParameter.optional() });
