import type { Knex } from 'knex';
import { keysetPage, type KeysetOrder, type Page, type PageRequest } from '../keyset-page.js';
import { ReadModelUnavailableError } from '../engine/errors.js';
import { ANOMALIES, ANOMALY_PROJECTION } from './anomalies-projection.js';

export interface AnomalyItem {
  id: string;
  event: string;
  minute: Date;
  kind: 'spike' | 'drop';
  observed: number;
  expected: number;
  z: number;
  position: string;
  detectedAt: Date;
}

interface AnomalyRow {
  event_id: string;
  event: string;
  minute: Date;
  kind: 'spike' | 'drop';
  observed: number;
  expected: number;
  z: number;
  position: string;
  detected_at: Date;
}

/** Newest first: log positions are unique, so the order is total. */
const ORDER: KeysetOrder = [['position', 'desc']];

/** A tenant's anomalies, newest first; `event` narrows to one event's. */
export async function listAnomalies(knex: Knex, tenantId: string, page: PageRequest & { event?: string }): Promise<Page<AnomalyItem>> {
  const query = knex(ANOMALIES).where({ tenant_id: tenantId });
  if (page.event !== undefined) query.andWhere({ event: page.event });
  const rows = await keysetPage<AnomalyRow>(query, { orderBy: ORDER, cursor: page.cursor, limit: page.limit }).catch((error: unknown) => {
    throw ReadModelUnavailableError.translate(ANOMALY_PROJECTION, error);
  });
  return {
    items: rows.items.map((row) => ({
      id: row.event_id,
      event: row.event,
      minute: row.minute,
      kind: row.kind,
      observed: row.observed,
      expected: row.expected,
      z: row.z,
      position: String(row.position),
      detectedAt: row.detected_at,
    })),
    nextCursor: rows.nextCursor,
  };
}
