import type { Knex } from 'knex';
import { GENESIS_HASH } from '../../domain/audit/hash-chain.js';
import { sealSpan } from '../../infra/event-store/postgres/seal-leaves.js';
import type { Projection, ProjectionTables } from '../projection.js';
import { SEAL_STRETCH_COLUMNS, stretchRowOf } from './seal-stretch.js';

export const AUDIT_CHAIN_PROJECTION = 'audit_chain';

/** The seal's format (the history below): a seal of another version is rebuilt, and not read meanwhile (current-seal.ts). */
export const AUDIT_CHAIN_VERSION = 6;

type ChainTable = 'audit_chain';

/**
 * The audit seal: the whole log, in global order, a row per stretch of it
 * (seal-stretch.ts) with the hash chain through them (domain/audit/hash-chain.ts).
 * It runs behind the appends like any projection, so appends never wait for
 * it; verify (verify-chain.ts) hashes the log again and compares.
 *
 * It reads the events as stored (`storedEvents`): an upcaster added later
 * must not make history look rewritten. Stream and revision are kept so that
 * verify can tell a deleted event from one moved to another position.
 *
 * On PostgreSQL it seals stretches of the log where the events lie
 * (applySpan): PostgreSQL packs the leaves the appenders stored with the
 * events and writes the row in one statement, and no event reaches the
 * worker. Elsewhere a batch is a stretch, hashed in Node.
 */
export function auditChainProjection(): Projection<ChainTable> {
  return {
    name: AUDIT_CHAIN_PROJECTION,
    // 2: the chain links leaf hashes (domain/audit/hash-chain.ts); a seal of version 1 is rebuilt.
    // 3: the time in the canonical form as to_json writes it.
    // 4: a row and a link per stretch, not per event: a row and a link an event cost a busy log's appends 12 to 17% of their rate.
    // 5: each event's record (leaf, position, id, revision) packed in one column and linked: positions are in the chain.
    // 6: the leaf covers what the appender wrote (stream, type, payloads), which PostgreSQL's appenders hash and store;
    //    revision and time moved to the record. Hashing every event again cost a busy log's appends a quarter of their rate.
    version: AUDIT_CHAIN_VERSION,
    filter: {},
    storedEvents: true,
    // Sealing every commit as it lands cost a busy log's appends a third of their rate (bench/scenarios/tamper.ts):
    // a read, a transaction and their round trips for every few events. A seal a quarter of a second behind costs
    // a few batches a second.
    followEveryMs: 250,
    tables: ['audit_chain'],
    async setup(trx: Knex.Transaction, tables: ProjectionTables<ChainTable>) {
      const table = tables.audit_chain;
      // Records are mostly hashes, which do not compress: storing them as they are spares PostgreSQL trying.
      await trx.raw(`
        CREATE TABLE "${table}" (${SEAL_STRETCH_COLUMNS});
        ALTER TABLE "${table}" ALTER COLUMN records SET STORAGE EXTERNAL`);
    },
    async apply(events, trx, tables) {
      if (events.length === 0) return;
      const table = tables.audit_chain;
      // The engine applies batches in log order, each in its own transaction: the last row sealed is the chain's head.
      const last = await trx(table).orderBy('position', 'desc').first<{ hash: string } | undefined>('hash');
      const row = stretchRowOf(events, last?.hash ?? GENESIS_HASH);
      await trx(table).insert({ ...row, position: String(row.position) });
    },
    applySpan(span, trx, tables) {
      return sealSpan(trx, `"${tables.audit_chain}"`, span.after, span.through, GENESIS_HASH);
    },
  };
}
