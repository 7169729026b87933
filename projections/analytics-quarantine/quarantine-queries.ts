import type { Knex } from 'knex';
import { ReadModelUnavailableError } from '../engine/errors.js';
import { keysetPage, type KeysetOrder, type Page, type PageRequest } from '../keyset-page.js';
import { ANALYTICS_QUARANTINE } from './quarantine-read-model.js';
import type { QuarantineRow } from './quarantine-row.js';

export type QuarantineStatus = 'resolved' | 'unresolved';

/** Newest first: log positions are unique, so the order is total. */
const NEWEST_FIRST: KeysetOrder = [['position', 'desc']];

/** The tenant's quarantined events, newest first, all or only the (un)resolved ones. */
export async function listQuarantine(knex: Knex, tenantId: string, filter: { status?: QuarantineStatus | undefined }, page: PageRequest): Promise<Page<QuarantineRow>> {
  const query = knex(ANALYTICS_QUARANTINE).where({ tenant_id: tenantId });
  if (filter.status === 'resolved') query.whereNotNull('retried_at');
  if (filter.status === 'unresolved') query.whereNull('retried_at');
  return keysetPage<QuarantineRow>(query, { orderBy: NEWEST_FIRST, cursor: page.cursor, limit: page.limit }).catch(unavailable);
}

/** One entry of the tenant's quarantine; undefined when it has none by that id (another tenant's included). */
export async function findQuarantined(knex: Knex, tenantId: string, quarantineId: string): Promise<QuarantineRow | undefined> {
  const row: QuarantineRow | undefined = await knex(ANALYTICS_QUARANTINE).where({ tenant_id: tenantId, quarantine_id: quarantineId }).first().catch(unavailable);
  return row;
}

function unavailable(error: unknown): never {
  throw ReadModelUnavailableError.translate(ANALYTICS_QUARANTINE, error);
}
