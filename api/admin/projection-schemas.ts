import { z } from 'zod';

export const projectionNameParams = z.object({ name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'a projection name') });
export const replayJobParams = projectionNameParams.extend({ jobId: z.string().regex(/^\d{1,18}$/, 'a replay job id') });

export const skipRequestSchema = z
  .object({
    position: z.string().regex(/^\d{1,40}$/, 'a log position, as a string of digits'),
    reason: z.string().trim().min(3).max(500),
  })
  .strict();

export const replayProgressSchema = z.object({
  jobId: z.string(),
  projection: z.string(),
  version: z.number().int(),
  generation: z.number().int(),
  state: z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']),
  processed: z.string(),
  total: z.string().nullable(),
  percent: z.number().nullable(),
  eventsPerSecond: z.number(),
  etaSeconds: z.number().nullable(),
  position: z.string().nullable(),
  error: z.object({ position: z.string().nullable(), message: z.string() }).optional(),
  requestedBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const projectionStatusSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  status: z.enum(['running', 'catching-up', 'failed', 'stopped', 'replaying']),
  checkpoint: z.string().nullable(),
  headPosition: z.string().nullable(),
  lag: z.number().int().describe('events after the checkpoint that the projection handles, counted exactly up to lagCap'),
  lagCap: z.number().int(),
  eventsPerSecond: z.number(),
  eventsProcessed: z.string(),
  owner: z.string().nullable(),
  lastError: z.object({ position: z.string(), message: z.string(), at: z.string() }).optional(),
  replay: replayProgressSchema.optional(),
});

export const skipRecordSchema = z.object({
  projection: z.string(),
  position: z.string(),
  eventId: z.string().nullable(),
  eventType: z.string().nullable(),
  stream: z.string().nullable(),
  errorMessage: z.string().nullable(),
  reason: z.string(),
  skippedBy: z.string(),
  skippedAt: z.string(),
});
