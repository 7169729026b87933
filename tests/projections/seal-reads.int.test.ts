import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { encodePosition } from '../../infra/event-store/postgres/rows.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { AUDIT_CHAIN_PROJECTION, AUDIT_CHAIN_VERSION, auditChainProjection } from '../../projections/audit/audit-chain-projection.js';
import { chainHead } from '../../projections/audit/chain-head.js';
import { verifyChain } from '../../projections/audit/verify-chain.js';
import { ReadModelUnavailableError } from '../../projections/engine/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
let knex: Knex;
let store: PostgresEventStore;

/**
 * Positions are (transaction id << 32) + index: transaction 2328 is the last
 * whose positions have 13 digits, 2329 the first with 14. A seal read in the
 * order of its positions' text takes "10…" before "9…": a test app's log
 * crosses there when the cluster's transactions do, which made verify name an
 * untouched event as `inserted`, now and then.
 */
const BEFORE = 2328n;
const AFTER = 2329n;

beforeAll(async () => {
  database = await createTestDatabase();
  knex = createKnex(database.url, 2);
  store = await PostgresEventStore.connect({ connectionString: database.url, logger: createLogger('silent'), poolSize: 2 });
  for (const txId of [BEFORE, AFTER]) {
    await knex.raw(
      `INSERT INTO events (tx_id, idx, stream_id, stream_revision, event_id, event_type, data, metadata)
       SELECT ?::text::xid8, g, 'thing-' || ?, g, gen_random_uuid(), 'ThingHappened', format('{"i":%s}', g)::json, '{}' FROM generate_series(0, 2) g`,
      [String(txId), String(txId)],
    );
  }
  // The seal as the worker leaves it: a stretch per transaction, in the view the reads use.
  const seal = auditChainProjection();
  await knex('projections').insert({ name: AUDIT_CHAIN_PROJECTION, version: AUDIT_CHAIN_VERSION, generation: 1 });
  await knex.transaction((trx) => seal.setup(trx, { audit_chain: 'audit_chain' }));
  await knex.transaction((trx) => seal.applySpan!({ after: undefined, through: encodePosition(String(BEFORE), 2) }, trx, { audit_chain: 'audit_chain' }));
  await knex.transaction((trx) => seal.applySpan!({ after: encodePosition(String(BEFORE), 2), through: encodePosition(String(AFTER), 2) }, trx, { audit_chain: 'audit_chain' }));
});

afterAll(async () => {
  await store?.close();
  await knex?.destroy();
  await database?.drop();
});

describe('a seal whose positions cross a power of ten (13 digits, then 14)', () => {
  it('has its head at the highest position', async () => {
    expect(String(encodePosition(String(BEFORE), 2)).length).toBe(13);
    expect(String(encodePosition(String(AFTER), 0)).length).toBe(14);
    expect((await chainHead(knex))?.position).toBe(encodePosition(String(AFTER), 2));
  });

  it.each([1, 3, 100])('verifies whole in pages of %s events, and event by event where a page does not match', async (pageEvents) => {
    expect(await verifyChain(knex, store, { pageEvents })).toMatchObject({ ok: true, checked: 6 });
    // Read directly: these transaction ids may lie above the test cluster's own, where the store's reads stop.
    const { rows } = await knex.raw<{ rows: Array<{ id: string; data: string }> }>('SELECT event_id::text AS id, data::text AS data FROM events ORDER BY tx_id DESC, idx DESC LIMIT 1');
    const victim = rows[0]!;
    await knex.raw(`UPDATE events SET data = '{"i":7}' WHERE event_id = ?`, [victim.id]);
    try {
      expect((await verifyChain(knex, store, { pageEvents })).mismatch).toMatchObject({ kind: 'changed', eventId: victim.id, position: encodePosition(String(AFTER), 2) });
    } finally {
      await knex.raw('UPDATE events SET data = ?::json WHERE event_id = ?', [victim.data, victim.id]);
    }
  });
});

describe('a seal of another version than the code\'s (an upgrade, before the workers have rebuilt it)', () => {
  it('is not read: verify and the chain\'s head (digests) answer that it is being rebuilt', async () => {
    // The old version's table keeps serving its view while the new one is built: its records are not this code's.
    await knex('projections').where({ name: AUDIT_CHAIN_PROJECTION }).update({ version: AUDIT_CHAIN_VERSION - 1 });
    try {
      for (const read of [() => verifyChain(knex, store), () => chainHead(knex)]) {
        const refusal = await read().then(() => undefined, (error: unknown) => error);
        expect(refusal).toBeInstanceOf(ReadModelUnavailableError);
        expect((refusal as Error).message).toBe(`the audit seal is being rebuilt for version ${AUDIT_CHAIN_VERSION} (it holds version ${AUDIT_CHAIN_VERSION - 1}); verify and digests answer once the workers have built it`);
      }
    } finally {
      await knex('projections').where({ name: AUDIT_CHAIN_PROJECTION }).update({ version: AUDIT_CHAIN_VERSION });
    }
    expect((await chainHead(knex))?.position).toBe(encodePosition(String(AFTER), 2));
  });
});
