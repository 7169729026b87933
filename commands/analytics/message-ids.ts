import type { Knex } from 'knex';
import type { EventStore } from '../../infra/event-store/event-store.js';
import type { Migration } from '../../infra/postgres/migrations.js';

/**
 * The ingest side's memory of every (tenant, messageId) it has appended, so
 * a duplicate is recognised before it is appended, days later too. Written
 * after the append is durable: a crash in between only means a retry reaches
 * the append again, where the event's deterministic id is found in the log
 * (and the warehouse's own key would count it once anyway). Not a read model:
 * nothing rebuilds it from events. Used only with a log that does not refuse
 * an event id recorded in another stream (KurrentDB); see seenMessagesOf.
 */
export const MESSAGE_IDS_TABLE = 'analytics_message_ids';

/** Which of a request's messages a tenant has sent before, and how the ones appended now are remembered. */
export interface SeenMessages {
  /** The ones among `messageIds` the tenant has sent before (found before the append). */
  known(tenantId: string, messageIds: readonly string[]): Promise<Set<string>>;
  /** Called once their append is durable. */
  remember(tenantId: string, messageIds: readonly string[], receivedAt: Date): Promise<void>;
}

/**
 * The PostgreSQL log refuses an event id it holds in any stream
 * (events_event_id_idx), and an AnalyticsEventReceived's id is derived from
 * (tenant, messageId): the append itself finds every earlier message, and a
 * table beside it would cost a lookup and a second commit per request for
 * nothing. The append refused, the ingest appends the rest and counts the
 * refused ones as duplicates.
 */
export const seenInLog: SeenMessages = {
  known: async () => new Set(),
  remember: async () => {},
};

/** The table where the log alone cannot tell (KurrentDB refuses a known id only within its stream); the log where it can. */
export function seenMessagesOf(eventStore: Pick<EventStore, 'kind'>, knex: Knex): SeenMessages {
  return eventStore.kind === 'postgres' ? seenInLog : new MessageIds(knex);
}

export const analyticsIngestMigrations: Migration[] = [
  {
    name: '0410_analytics_message_ids',
    async up(knex: Knex) {
      await knex.raw(`
        CREATE TABLE ${MESSAGE_IDS_TABLE} (
          tenant_id text NOT NULL,
          message_id text NOT NULL,
          received_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (tenant_id, message_id)
        )`);
    },
    async down(knex: Knex) {
      await knex.raw(`DROP TABLE IF EXISTS ${MESSAGE_IDS_TABLE}`);
    },
  },
];

export class MessageIds implements SeenMessages {
  constructor(private readonly knex: Knex) {}

  /** The ones among `messageIds` the tenant has sent before. */
  async known(tenantId: string, messageIds: readonly string[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const { rows } = await this.knex.raw<{ rows: { message_id: string }[] }>(
      `SELECT message_id FROM ${MESSAGE_IDS_TABLE} WHERE tenant_id = ? AND message_id = ANY(?::text[])`,
      [tenantId, [...messageIds]],
    );
    return new Set(rows.map((row) => row.message_id));
  }

  async remember(tenantId: string, messageIds: readonly string[], receivedAt: Date): Promise<void> {
    if (messageIds.length === 0) return;
    await this.knex.raw(
      `INSERT INTO ${MESSAGE_IDS_TABLE} (tenant_id, message_id, received_at)
       SELECT ?, id, ? FROM unnest(?::text[]) AS id
       ON CONFLICT DO NOTHING`,
      [tenantId, receivedAt, [...messageIds]],
    );
  }
}
