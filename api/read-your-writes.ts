import { z } from 'zod';
import type { Request } from 'express';
import { parsePosition, type Position } from '../infra/event-store/event-store.js';

export interface CheckpointWaiting {
  waitForPosition(projectionNames: readonly string[], position: Position, timeoutMs: number): Promise<void>;
}

/** Waits for the read models a query uses, before it reads them. */
export type ReadYourWrites = (req: Request, projectionNames: readonly string[]) => Promise<void>;

/**
 * `X-Min-Position: <position>` (the `position` a command answered): wait,
 * bounded, until the named projections have processed it. A malformed header
 * is 400 `invalid_position`; a time-out is 504 `read_model_timeout`.
 */
export function readYourWrites(checkpoints: CheckpointWaiting, timeoutMs: number): ReadYourWrites {
  return async (req, projectionNames) => {
    const header = req.get('X-Min-Position');
    if (header === undefined || header.trim() === '') return;
    await checkpoints.waitForPosition(projectionNames, parsePosition(header.trim()), timeoutMs);
  };
}

/** For OpenAPI: the header query routes honour. */
export const minPositionHeaderSchema = z.object({
  'x-min-position': z
    .string()
    .optional()
    .meta({ description: 'A `position` a command answered: wait (bounded) until this list includes it; 504 read_model_timeout otherwise' }),
});
