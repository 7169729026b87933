import type { Knex } from 'knex';
import { GENESIS_HASH } from '../../domain/audit/hash-chain.js';
import type { Position } from '../../infra/event-store/event-store.js';
import type { HashedRecords, SealLeafSource } from '../../infra/event-store/seal-leaves.js';

/** Where the chain is known to be right: through this position (undefined: not past the start), with this hash, after this many events. */
export interface VerifiedPrefix {
  through: Position | undefined;
  hash: string;
  checked: number;
}

export interface PagePassOptions {
  /** Sealed events a page holds, at least (a page is whole stretches of the seal). */
  pageEvents: number;
  onPage?(checked: number): void;
}

/** Pages hashed at once: PostgreSQL hashes the leaves of each on a connection of its own, so both cores hash. */
const PAGES_IN_FLIGHT = 2;
/** Stretch headers read at a time while the pages are cut. */
const HEADERS_AT_ONCE = 1_000;

/** The view over the live generation of the seal's table. */
const TABLE = 'audit_chain';

/**
 * The quick pass of verify, page by page of the seal, a page being whole
 * stretches of it (seal-stretch.ts). PostgreSQL hashes the log's events of
 * a page where they lie; their records (leaf, position, id, revision, time) must
 * hash as the seal's do, and each stretch of the page must link to the one
 * before it, from the hash the seal holds where the page starts
 * (domain/audit/hash-chain.ts). So
 * nothing of an event crosses the wire, and pages are independent: two are
 * hashed at once, one on each core. A page whose start hash the seal forged
 * cannot pass, since the page before it must end on that hash.
 * Returns how far it matched: the first page that does not is left for the
 * event-by-event comparison, which says where and how.
 */
export async function matchPages(knex: Knex, store: SealLeafSource, through: Position, options: PagePassOptions): Promise<VerifiedPrefix> {
  const ends = pageEnds(knex, through, options.pageEvents);
  const inFlight: Array<{ end: PageEnd; page: Promise<[HashedRecords, SealedPage]> }> = [];
  let lastEnd: PageEnd | undefined;
  const launch = async (): Promise<boolean> => {
    const next = await ends.next();
    if (next.done) return false;
    const start = lastEnd;
    lastEnd = next.value;
    const page = Promise.all([store.hashSealRecords(start?.position, next.value.position), sealedPage(knex, start, next.value.position)]);
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
    if (!sealed.linked || log.events !== sealed.events || log.records === null || log.records !== sealed.records) return verified;
    verified = { through: current.end.position, hash: current.end.hash, checked: verified.checked + log.events };
    options.onPage?.(verified.checked);
  }
  return verified;
}

interface PageEnd {
  /** The page's last stretch's position. */
  position: Position;
  /** The seal's hash there. */
  hash: string;
}

/** The end of each page of the seal through `through`: stretches are added to a page until it holds `pageEvents` events; the rest is the last page. */
async function* pageEnds(knex: Knex, through: Position, pageEvents: number): AsyncGenerator<PageEnd, void, undefined> {
  let after = -1n;
  let inPage = 0;
  let last: PageEnd | undefined;
  for (;;) {
    // Ordered by the qualified column: the bare name would sort by the text alias, and "9…" comes after "10…".
    const { rows } = await knex.raw<{ rows: Array<{ position: string; events: number; hash: string }> }>(
      `SELECT position::text AS position, events, hash FROM ${TABLE} WHERE position > ? AND position <= ? ORDER BY ${TABLE}.position LIMIT ${HEADERS_AT_ONCE}`,
      [String(after), String(through)],
    );
    for (const row of rows) {
      last = { position: BigInt(row.position), hash: row.hash };
      inPage += row.events;
      if (inPage >= pageEvents) {
        yield last;
        inPage = 0;
        last = undefined;
      }
    }
    if (rows.length < HEADERS_AT_ONCE) break;
    after = BigInt(rows.at(-1)!.position);
  }
  if (last !== undefined) yield last;
}

interface SealedPage extends HashedRecords {
  /** Whether every stretch of the page links to the one before it. */
  linked: boolean;
}

/** The seal's stretches after `start` through `end`, hashed as the log's events are (HashedRecords), and whether they link from `start`'s hash. */
async function sealedPage(knex: Knex, start: PageEnd | undefined, end: Position): Promise<SealedPage> {
  const { rows } = await knex.raw<{ rows: SealedPage[] }>(
    `SELECT coalesce(sum(events), 0)::int AS events,
            encode(sha256(string_agg(records, ''::bytea ORDER BY position)), 'hex') AS records,
            coalesce(bool_and(linked), true) AS linked
       FROM (SELECT position, events, records,
                    encode(sha256(decode(coalesce(lag(hash) OVER (ORDER BY position), ?), 'hex') || records), 'hex') = hash AS linked
               FROM ${TABLE} WHERE position > ? AND position <= ?) stretch`,
    [start?.hash ?? GENESIS_HASH, start === undefined ? '-1' : String(start.position), String(end)],
  );
  return rows[0]!;
}
