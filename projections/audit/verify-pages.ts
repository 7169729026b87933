import { hash } from 'node:crypto';
import type { Knex } from 'knex';
import { chainLink, GENESIS_HASH } from '../../domain/audit/hash-chain.js';
import type { Position } from '../../infra/event-store/event-store.js';
import type { SealLeaf, SealLeafSource } from '../../infra/event-store/seal-leaves.js';

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
 * The quick pass of verify, page by page of the seal: the log's leaves of
 * the page, chained, must give the hash the seal holds at the page's last
 * position, and the log must hold events at exactly the positions the seal
 * does (compared as one hash of the page's positions, which PostgreSQL
 * computes over the seal's rows where they lie). So verify reads 32 bytes an
 * event from the log and a few from the seal a page, instead of every row of
 * the seal. Returns how far it matched: the first page that does not is left
 * for the event-by-event comparison, which says where and how.
 */
export async function matchPages(knex: Knex, store: SealLeafSource, through: Position, options: PagePassOptions): Promise<VerifiedPrefix> {
  const ends = await pageEnds(knex, through, options.pageEvents);
  const read = (index: number) => {
    const after = index === 0 ? undefined : ends[index - 1];
    const page = Promise.all([store.readSealLeaves(after, ends[index]!, options.pageEvents + 1), sealedPage(knex, after, ends[index]!)]);
    // Awaited in turn; a pass that stops early must not leave a rejection unhandled.
    page.catch(() => undefined);
    return page;
  };
  const pending = ends.slice(0, PAGES_IN_FLIGHT).map((_, index) => read(index));
  let verified: VerifiedPrefix = { through: undefined, hash: GENESIS_HASH, checked: 0 };
  for (let index = 0; index < ends.length; index++) {
    const [leaves, sealed] = await pending[index]!;
    if (index + PAGES_IN_FLIGHT < ends.length) pending.push(read(index + PAGES_IN_FLIGHT));
    const chained = chainLeaves(verified.hash, leaves);
    const end = ends[index]!;
    if (leaves.length !== sealed.count || leaves.at(-1)?.position !== end || chained !== sealed.hash || positionsHash(leaves) !== sealed.positions) return verified;
    verified = { through: end, hash: chained, checked: verified.checked + leaves.length };
    options.onPage?.(verified.checked);
  }
  return verified;
}

function chainLeaves(from: string, leaves: readonly SealLeaf[]): string {
  let chained = from;
  for (const leaf of leaves) chained = chainLink(chained, leaf.leaf);
  return chained;
}

/** The hash of a page's positions as sealedPage has PostgreSQL write them: decimal, comma-separated, in order. */
function positionsHash(leaves: readonly SealLeaf[]): string {
  return hash('sha256', leaves.map((leaf) => String(leaf.position)).join(','), 'hex');
}

/** The last position of every page of the seal through `through`, and `through` itself last. */
async function pageEnds(knex: Knex, through: Position, pageEvents: number): Promise<Position[]> {
  const { rows } = await knex.raw<{ rows: Array<{ position: string }> }>(
    `SELECT position::text AS position FROM (
       SELECT position, row_number() OVER (ORDER BY position) AS n FROM ${TABLE} WHERE position <= ?
     ) numbered WHERE n % ? = 0 ORDER BY position`,
    [String(through), pageEvents],
  );
  const ends = rows.map((row) => BigInt(row.position));
  if (ends.at(-1) !== through) ends.push(through);
  return ends;
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
