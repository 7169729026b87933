import type { QuarantineReason } from '../../domain/analytics/index.js';
import type { ReadModelEvent } from '../read-model.js';
import type { QuarantineEvent } from './quarantine-read-model.js';

/** A refused event, as the quarantine list shows it. Times are ISO text, the position decimal text (int8). */
export interface QuarantineRow {
  quarantine_id: string;
  tenant_id: string;
  key_id: string | null;
  reasons: QuarantineReason[];
  raw: string;
  truncated: boolean;
  /** The endpoint that refused it (`segment`, `native`): a retry is checked by the same rules. */
  source: string | null;
  /** The call type `/v1/track` and the like implied. */
  implied_type: string | null;
  received_at: string;
  position: string;
  /** When a corrected version was accepted (the retry's time in the log); null while unresolved. */
  retried_at: string | null;
  retried_message_id: string | null;
}

export function evolveQuarantineRow(row: QuarantineRow | null, event: ReadModelEvent<QuarantineEvent>): QuarantineRow | null {
  switch (event.type) {
    case 'AnalyticsEventRejected': {
      const { data } = event;
      return {
        quarantine_id: data.quarantineId,
        tenant_id: data.tenantId,
        key_id: data.keyId,
        reasons: data.reasons,
        raw: data.raw,
        truncated: data.truncated,
        source: data.source ?? null,
        implied_type: data.impliedType ?? null,
        received_at: data.receivedAt,
        position: String(event.position),
        retried_at: null,
        retried_message_id: null,
      };
    }
    case 'AnalyticsQuarantineRetried':
      // A retry of an entry of another tenant, or of none, resolves nothing.
      if (!row || row.tenant_id !== event.data.tenantId || row.retried_at !== null) return row;
      return { ...row, retried_at: event.metadata.occurredAt, retried_message_id: event.data.messageId };
  }
}
