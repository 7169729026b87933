import { z } from 'zod';

const position = z.string().describe('a log position');

export const chainMismatchSchema = z.object({
  kind: z.enum(['changed', 'missing', 'inserted', 'reordered']),
  position: position.describe('where the log has the event now; for missing, where it was sealed'),
  eventId: z.string(),
  stream: z.string(),
  revision: z.string(),
  sealedAt: position.optional().describe('for reordered: the position it was sealed at'),
  message: z.string(),
});

export const chainReportSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int().describe('events checked from the start of the log'),
  through: position.nullable().describe('verified up to here: the seal head, or the digest position'),
  sealedThrough: position.nullable().describe('how far the seal (the audit_chain projection) has got'),
  firstMismatch: chainMismatchSchema.nullable().describe('the first event that does not match'),
  digest: z.object({ position, hash: z.string(), matches: z.boolean() }).optional(),
  message: z.string(),
});

export const auditDigestResponseSchema = z.object({
  position: position.describe('the last sealed event'),
  hash: z.string().describe('the hash chain through it (SHA-256, hex)'),
  signedAt: z.string(),
  signature: z.string().describe('compact JWS (ES256, typ chronicle-audit-digest+jws) over {"position","hash","signedAt"}; the key is in /.well-known/jwks.json'),
  keyId: z.string().describe('the kid of that key'),
});
