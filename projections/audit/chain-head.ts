import type { Knex } from 'knex';
import type { Position } from '../../infra/event-store/event-store.js';
import { ReadModelUnavailableError } from '../engine/errors.js';
import { AUDIT_CHAIN_PROJECTION } from './audit-chain-projection.js';
import { requireCurrentSeal } from './current-seal.js';

/** The last sealed event's position and the chain's hash through it; undefined while nothing is sealed. */
export async function chainHead(knex: Knex): Promise<{ position: Position; hash: string } | undefined> {
  try {
    await requireCurrentSeal(knex);
    // Qualified: the bare name would sort by the text alias, and "9…" comes after "10…".
    const { rows } = await knex.raw<{ rows: Array<{ position: string; hash: string }> }>('SELECT position::text AS position, hash FROM audit_chain ORDER BY audit_chain.position DESC LIMIT 1');
    const row = rows[0];
    return row === undefined ? undefined : { position: BigInt(row.position), hash: row.hash };
  } catch (error) {
    throw ReadModelUnavailableError.translate(AUDIT_CHAIN_PROJECTION, error);
  }
}
