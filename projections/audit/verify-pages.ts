import type { Knex } from 'knex';
import { GENESIS_HASH } from '../../domain/audit/hash-chain.js';
import type { Position } from '../../infra/event-store/event-store.js';
import type { ChainedPage, SealLeafSource } from '../../infra/event-store/seal-leaves.js';

/** Where the chain is known to be right: through this position (undefined: not past the start), with this hash, after this many events. */
export interface VerifiedPrefix {
  through: Position | undefined;
  hash: string;
  checked: number;
}

export interface PagePassOptions {
  /** Sealed events a page holds. */
  pageEvents: number;
  onPage?(checked: number): void;
}

/** Pages read from the log at once: PostgreSQL hashes the leaves of each on a connection of its own, so both cores hash. */
const PAGES_IN_FLIGHT = 2;

/** The view over the live generation of the seal's table. */
const TABLE = 'audit_chain';

/**
 * The quick pass of verify, page by page of the seal. PostgreSQL chains the
 * log's events of a page where they lie, from the hash the seal holds at the
 * page's start; that must give the hash the seal holds at the page's end, and
 * the log must hold events at exactly the positions the seal does (compared as
 * one hash of the page's positions, computed on both sides where the rows
 * are). So nothing of an event crosses the wire, and pages are independent:
 * two are chained at once, one on each core. A page whose start hash the
 * seal forged cannot pass, since the page before it must end on that hash.
 * Returns how far it matched: the first page that does not is left for the
 * event-by-event comparison, which says where and how.
 */
export async function matchPages(knex: Knex, store: SealLeafSource, through: Position, options: PagePassOptions): Promise<VerifiedPrefix> {
  const ends = pageEnds(knex, through, options.pageEvents);
  const inFlight: Array<{ end: PageEnd; page: Promise<[ChainedPage, SealedPage]> }> = [];
  let lastEnd: PageEnd | undefined;
  const launch = async (): Promise<boolean> => {
    const next = await ends.next();
    if (next.done) return false;
    const start = lastEnd;
    lastEnd = next.value;
    const page = Promise.all([store.chainSealPage(start?.position, next.value.position, start?.hash ?? GENESIS_HASH), sealedPage(knex, start?.position, next.value.position)]);
    // Awaited in turn; a pass that stops early must not leave a rejection unhandled.
    page.catch(() => undefined);
    inFlight.push({ end: next.value, page });
    return true;
  };
  while (inFlight.length < PAGES_IN_FLIGHT && (await launch()));
  let verified: VerifiedPrefix = { through: undefined, hash: GENESIS_HASH, checked: 0 };
  for (let current = inFlight.shift(); current !== undefined; current = inFlight.shift()) {
    const [log, sealed] = await current.page;
    await launch();
    if (log.events !== sealed.count || log.hash === null || log.hash !== sealed.hash || log.positions !== sealed.positions) return verified;
    verified = { through: current.end.position, hash: log.hash, checked: verified.checked + log.events };
    options.onPage?.(verified.checked);
  }
  return verified;
}

interface PageEnd {
  position: Position;
  /** The seal's hash there (undefined for `through` itself, where no page starts). */
  hash?: string;
}

/**
 * The last position of each page of the seal through `through`, with the
 * seal's hash there, and `through` itself last: one index walk of a page
 * each, as the pass goes, rather than numbering the whole seal before it starts.
 */
async function* pageEnds(knex: Knex, through: Position, pageEvents: number): AsyncGenerator<PageEnd, void, undefined> {
  let after = -1n;
  for (;;) {
    // LIMIT, not OFFSET: with OFFSET the planner sorts the whole rest of the seal for every page.
    const { rows } = await knex.raw<{ rows: Array<{ events: number; position: string | null; hash: string | null }> }>(
      `SELECT page.events, page.position::text AS position, (SELECT hash FROM ${TABLE} WHERE position = page.position) AS hash
         FROM (SELECT count(*)::int AS events, max(position) AS position
                 FROM (SELECT position FROM ${TABLE} WHERE position > ? AND position < ? ORDER BY position LIMIT ?) rest) page`,
      [String(after), String(through), pageEvents],
    );
    const row = rows[0];
    if (row === undefined || row.events < pageEvents || row.position === null || row.hash === null) {
      yield { position: through };
      return;
    }
    after = BigInt(row.position);
    yield { position: after, hash: row.hash };
  }
}
interface SealedPage {
  count: number;
  /** The seal's hash at the page's last position; null when the seal has no event there. */
  hash: string | null;
  positions: string | null;
}

async function sealedPage(knex: Knex, after: Position | undefined, end: Position): Promise<SealedPage> {
  const { rows } = await knex.raw<{ rows: SealedPage[] }>(
    `SELECT count(*)::int AS count,
            encode(sha256(convert_to(string_agg(position::text, ',' ORDER BY position), 'UTF8')), 'hex') AS positions,
            (SELECT hash FROM ${TABLE} WHERE position = ?) AS hash
       FROM ${TABLE} WHERE position > ? AND position <= ?`,
    [String(end), after === undefined ? '-1' : String(after), String(end)],
  );
  return rows[0]!;
}
