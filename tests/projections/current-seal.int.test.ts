import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { AUDIT_CHAIN_PROJECTION, AUDIT_CHAIN_VERSION } from '../../projections/audit/audit-chain-projection.js';
import { chainHead } from '../../projections/audit/chain-head.js';
import { verifyChain } from '../../projections/audit/verify-chain.js';
import { ReadModelUnavailableError } from '../../projections/engine/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
let knex: Knex;
let store: PostgresEventStore;

beforeAll(async () => {
  database = await createTestDatabase();
  knex = createKnex(database.url, 2);
  store = await PostgresEventStore.connect({ connectionString: database.url, logger: createLogger('silent'), poolSize: 2 });
});

afterAll(async () => {
  await store?.close();
  await knex?.destroy();
  await database?.drop();
});

describe('a seal of another version than the code\'s (an upgrade, before the workers have rebuilt it)', () => {
  it('is not read: verify and the chain\'s head (digests) answer that it is being rebuilt', async () => {
    // The old version's table still serves its view while the new one is built: these rows hold its records, not this code's.
    await knex('projections').insert({ name: AUDIT_CHAIN_PROJECTION, version: AUDIT_CHAIN_VERSION - 1, generation: 1 });
    await knex.raw('CREATE TABLE audit_chain (position numeric PRIMARY KEY, events int, hash text, records bytea, streams text[])');
    await knex('audit_chain').insert({ position: '5', events: 1, hash: '0'.repeat(64), records: Buffer.alloc(68), streams: ['thing-1'] });
    for (const read of [() => verifyChain(knex, store), () => chainHead(knex)]) {
      const refusal = await read().then(() => undefined, (error: unknown) => error);
      expect(refusal).toBeInstanceOf(ReadModelUnavailableError);
      expect((refusal as Error).message).toBe(`the audit seal is being rebuilt for version ${AUDIT_CHAIN_VERSION} (it holds version ${AUDIT_CHAIN_VERSION - 1}); verify and digests answer once the workers have built it`);
    }
    await knex('projections').where({ name: AUDIT_CHAIN_PROJECTION }).update({ version: AUDIT_CHAIN_VERSION });
    await knex('audit_chain').update({ records: Buffer.alloc(76) });
    expect(await chainHead(knex)).toEqual({ position: 5n, hash: '0'.repeat(64) });
  });
});
