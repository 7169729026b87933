import type { Knex } from 'knex';
import { ReadModelUnavailableError } from '../engine/errors.js';
import { AUDIT_CHAIN_PROJECTION, AUDIT_CHAIN_VERSION } from './audit-chain-projection.js';

/**
 * Refuses to read a seal of another version than this code's. After an
 * upgrade the old seal keeps serving its view until the new one is built,
 * but its records are not this code's: read with this code's layout, verify
 * would fail on an untouched log, and a digest signed from it would stop
 * matching once the new seal goes live. The API answers 503 meanwhile.
 */
export async function requireCurrentSeal(knex: Knex): Promise<void> {
  const row = await knex('projections').where({ name: AUDIT_CHAIN_PROJECTION }).first<{ version: number } | undefined>('version');
  if (row !== undefined && row.version !== AUDIT_CHAIN_VERSION) {
    throw new ReadModelUnavailableError(AUDIT_CHAIN_PROJECTION, {
      reason: `the audit seal is being rebuilt for version ${AUDIT_CHAIN_VERSION} (it holds version ${row.version}); verify and digests answer once the workers have built it`,
    });
  }
}
