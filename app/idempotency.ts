import { Idempotency } from '../api/idempotency/idempotency.js';
import { IdempotencyKeys } from '../api/idempotency/idempotency-keys.js';
import type { Services } from './services.js';

/** A claim older than this without an answer is taken to have died with its process: a repeat may run. */
const CLAIM_LEASE_SECONDS = 60;
/** How long a repeat waits for a racing first request's answer before 409 idempotency_key_in_progress. */
const REPEAT_WAIT_MS = 10_000;

/** The Idempotency-Key runner routes that opt in share, over the database's idempotency_keys table. */
export function createIdempotency({ knex, config }: Services): Idempotency {
  return new Idempotency(new IdempotencyKeys(knex, { ttlSeconds: config.IDEMPOTENCY_KEY_TTL_SECONDS, leaseSeconds: CLAIM_LEASE_SECONDS }), REPEAT_WAIT_MS);
}
