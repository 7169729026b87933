import type { z } from 'zod';
import type { QuarantineRow } from '../../projections/analytics-quarantine/quarantine-row.js';
import type { quarantineEntrySchema } from './quarantine-schemas.js';

/** A row as the API shows it (PostgreSQL hands timestamps back as Dates, the row type says ISO text: either reads the same). */
export function quarantineEntryView(row: QuarantineRow): z.input<typeof quarantineEntrySchema> {
  return {
    id: row.quarantine_id,
    status: row.retried_at === null ? 'unresolved' : 'resolved',
    reasons: row.reasons,
    raw: row.raw,
    truncated: row.truncated,
    keyId: row.key_id,
    source: row.source,
    receivedAt: iso(row.received_at),
    position: String(row.position),
    retriedAt: row.retried_at === null ? null : iso(row.retried_at),
    retriedMessageId: row.retried_message_id,
  };
}

function iso(value: string | Date): string {
  return new Date(value).toISOString();
}
