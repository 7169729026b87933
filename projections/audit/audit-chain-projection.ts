import type { Knex } from 'knex';
import { chainHash, GENESIS_HASH } from '../../domain/audit/hash-chain.js';
import { sealSpan } from '../../infra/event-store/postgres/seal-leaves.js';
import { copyRows, type CopyValue } from '../copy-rows.js';
import type { Projection, ProjectionTables } from '../projection.js';

export const AUDIT_CHAIN_PROJECTION = 'audit_chain';

type ChainTable = 'audit_chain';

/**
 * The audit seal: one row per event of the whole log, in global order, with
 * the hash chain through it (domain/audit/hash-chain.ts). It runs behind
 * the appends like any projection, so appends pay nothing for it; verify
 * (verify-chain.ts) recomputes the chain from the log and compares.
 *
 * It reads the events as stored (`storedEvents`): an upcaster added later
 * must not make history look rewritten. Stream and revision are kept so that
 * verify can tell a deleted event from one moved to another position.
 *
 * On PostgreSQL it seals stretches of the log where the events lie
 * (applySpan): PostgreSQL hashes and chains them in one statement, and no
 * event reaches the worker. Reading and hashing every event in Node cost a
 * busy log's appends 16% of their rate (bench/scenarios/tamper.ts).
 */
export function auditChainProjection(): Projection<ChainTable> {
  return {
    name: AUDIT_CHAIN_PROJECTION,
    // 2: the chain links leaf hashes (domain/audit/hash-chain.ts); a seal of version 1 is rebuilt.
    // 3: the time in the canonical form as to_json writes it (canonicalTime).
    version: 3,
    filter: {},
    storedEvents: true,
    // Sealing every commit as it lands cost a busy log's appends a third of their rate (bench/scenarios/tamper.ts):
    // a read, a transaction and their round trips for every few events. A seal a quarter of a second behind costs
    // a few batches a second.
    followEveryMs: 250,
    tables: ['audit_chain'],
    async setup(trx: Knex.Transaction, tables: ProjectionTables<ChainTable>) {
      const table = tables.audit_chain;
      await trx.raw(`
        CREATE TABLE "${table}" (
          position numeric(40,0) PRIMARY KEY,
          event_id uuid NOT NULL,
          stream text NOT NULL,
          revision bigint NOT NULL,
          hash text NOT NULL
        )`);
    },
    async apply(events, trx, tables) {
      const table = tables.audit_chain;
      // The engine applies batches in log order, each in its own transaction: the last row sealed is the chain's head.
      const last = await trx(table).orderBy('position', 'desc').first<{ hash: string } | undefined>('hash');
      let previous = last?.hash ?? GENESIS_HASH;
      const rows: CopyValue[][] = [];
      for (const event of events) {
        previous = chainHash(previous, event);
        rows.push([event.position, event.id, event.stream, event.revision, previous]);
      }
      await copyRows(trx, table, ['position', 'event_id', 'stream', 'revision', 'hash'], rows);
    },
    applySpan(span, trx, tables) {
      return sealSpan(trx, `"${tables.audit_chain}"`, span.after, span.through, GENESIS_HASH);
    },
  };
}
