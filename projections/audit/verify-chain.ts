import type { Knex } from 'knex';
import { GENESIS_HASH, stretchLink } from '../../domain/audit/hash-chain.js';
import type { EventStore, Position } from '../../infra/event-store/event-store.js';
import { hashesSealLeaves, sealRecord, type SealLeaf } from '../../infra/event-store/seal-leaves.js';
import { ConflictError } from '../../domain/shared/errors.js';
import { ReadModelUnavailableError } from '../engine/errors.js';
import { AUDIT_CHAIN_PROJECTION } from './audit-chain-projection.js';
import { requireCurrentSeal } from './current-seal.js';
import { PageCursor, type Page } from './page-cursor.js';
import { indexOfEventId, sealedEventsOf, sealLeafOf, type SealStretchRow } from './seal-stretch.js';
import { matchPages } from './verify-pages.js';

/**
 * How the log differs from the seal at the first event that does not match:
 * - changed: the event at this position is not what was sealed there (payload, metadata, type, stream, revision, time or id);
 * - missing: an event sealed at this position is gone from the log;
 * - inserted: the log holds an event the seal never saw, among sealed history;
 * - reordered: a sealed event is found at another position than the one it was sealed at.
 */
export type MismatchKind = 'changed' | 'missing' | 'inserted' | 'reordered';

export interface ChainMismatch {
  kind: MismatchKind;
  /** Where the log has the event now; for `missing`, where it was sealed. */
  position: Position;
  eventId: string;
  stream: string;
  revision: bigint;
  /** For `reordered`: where the seal saw it. */
  sealedAt?: Position;
}

export interface DigestToCheck {
  position: Position;
  hash: string;
}

export interface ChainReport {
  ok: boolean;
  /** Events checked, from the start of the log. */
  checked: number;
  /** Verified through this position: the seal's head, or the digest's position. */
  through: Position | undefined;
  /** How far the seal has got (it follows the appends). */
  sealedThrough: Position | undefined;
  /** The first event that does not match, if one does not. */
  mismatch?: ChainMismatch;
  /** With a digest: whether the log up to its position hashes to its hash. */
  digest?: { position: Position; hash: string; matches: boolean };
}

export interface VerifyOptions {
  /** Verify up to this digest's position and check the chain's hash there against it. */
  digest?: DigestToCheck;
  /** Called every PROGRESS_EVERY events (or page) and at the end. */
  onProgress?(checked: number, total: number): void;
  /** Sealed events a page of the quick pass holds (verify-pages.ts); small in tests, to have many pages. */
  pageEvents?: number;
}

/** A digest names a position the seal has not reached yet: nothing to compare with until it does. */
export class DigestAheadOfSealError extends ConflictError {
  constructor(readonly digestPosition: Position, readonly sealedThrough: Position | undefined) {
    super(`the digest is at position ${String(digestPosition)}, the seal only at ${sealedThrough === undefined ? 'the start' : String(sealedThrough)}: verify again once it has caught up`, { code: 'digest_ahead_of_seal' });
  }
}

/** An event as the seal holds it; the last of its stretch carries the stretch's hash. */
interface SealedEvent extends SealLeaf {
  stretchHash?: string;
}

// Small pages of whole events: with 10,000 a CPU profile of verify spent 28% in the garbage collector
// (each page's events and payloads outlive the young generation); with 2,000, 19%. Leaves are 32 bytes.
const EVENT_PAGE = 2_000;
const LEAF_PAGE = 20_000;
/** Stretches of the seal read at a time by the event-by-event comparison. */
const STRETCH_PAGE = 20;
const PAGE_EVENTS = 20_000;
/** Progress is reported this often. */
const PROGRESS_EVERY = 2_000;
/** The view over the live generation of the projection's table. */
const TABLE = 'audit_chain';

/**
 * Recomputes the hash chain from the log (through the event store port
 * only, so on either store) and compares it, event by event, with the seal
 * the projection wrote; stops at the first event that does not match and
 * says how. With a digest, also checks the chain's hash at its position.
 */
export async function verifyChain(knex: Knex, eventStore: EventStore, options: VerifyOptions = {}): Promise<ChainReport> {
  try {
    return await verify(knex, eventStore, options);
  } catch (error) {
    throw ReadModelUnavailableError.translate(AUDIT_CHAIN_PROJECTION, error);
  }
}

async function verify(knex: Knex, eventStore: EventStore, options: VerifyOptions): Promise<ChainReport> {
  await requireCurrentSeal(knex);
  const sealedThrough = await sealedHead(knex);
  const { digest } = options;
  if (digest && (sealedThrough === undefined || digest.position > sealedThrough)) throw new DigestAheadOfSealError(digest.position, sealedThrough);
  // The chain has a hash where a stretch ends: a digest elsewhere cannot match, and the log is verified up to the stretch before it.
  const through = digest ? await stretchEndAtOrBefore(knex, digest.position) : sealedThrough;
  const report = (checked: number, mismatch?: ChainMismatch, lastHash?: string): ChainReport => ({
    ok: mismatch === undefined && (digest === undefined || lastHash === digest.hash),
    checked,
    through,
    sealedThrough,
    ...(mismatch ? { mismatch } : {}),
    ...(digest ? { digest: { ...digest, matches: mismatch === undefined && lastHash === digest.hash } } : {}),
  });
  if (through === undefined) return report(0);

  const total = options.onProgress ? await sealedCount(knex, through) : 0;
  // Where the store hashes its own events, pages that match are passed over quickly; the rest is compared event by event.
  const start = hashesSealLeaves(eventStore)
    ? await matchPages(knex, eventStore, through, { pageEvents: options.pageEvents ?? PAGE_EVENTS, onPage: (checked) => options.onProgress?.(checked, total) })
    : { through: undefined, hash: GENESIS_HASH, checked: 0 };
  if (start.through === through) {
    options.onProgress?.(start.checked, total);
    return report(start.checked, undefined, start.hash);
  }
  const log = new PageCursor<SealLeaf>((previous) => readLog(eventStore, previous?.position ?? start.through, through));
  const seal = new PageCursor<SealedEvent>((previous) => readSeal(knex, previous?.position ?? start.through, through));
  let previousHash = start.hash;
  let stretch: Buffer[] = [];
  let lastPosition: Position | undefined;
  let checked = start.checked;
  for (;;) {
    const event = log.current() ?? (await log.fill());
    const sealed = seal.current() ?? (await seal.fill());
    if (event === undefined && sealed === undefined) break;
    if (sealed === undefined || (event !== undefined && event.position < sealed.position)) return report(checked, await unexpected(knex, event!, undefined));
    if (event === undefined || event.position > sealed.position) return report(checked, await missing(eventStore, sealed));
    if (event.id !== sealed.id && event.id.toLowerCase() !== sealed.id) return report(checked, await unexpected(knex, event, sealed));
    if (event.leaf !== sealed.leaf || event.revision !== sealed.revision || event.recorded !== sealed.recorded) return report(checked, mismatchOf('changed', event));
    stretch.push(sealRecord(sealed));
    if (sealed.stretchHash !== undefined) {
      // The seal's own hash, forged or not, must be the link of the records it holds.
      if (stretchLink(previousHash, Buffer.concat(stretch)) !== sealed.stretchHash) return report(checked, mismatchOf('changed', event));
      previousHash = sealed.stretchHash;
      stretch = [];
      lastPosition = sealed.position;
    }
    checked++;
    log.advance();
    seal.advance();
    if (checked % PROGRESS_EVERY === 0) options.onProgress?.(checked, total);
  }
  options.onProgress?.(checked, total);
  return report(checked, undefined, digest && lastPosition === digest.position ? previousHash : undefined);
}

async function readLog(eventStore: EventStore, after: Position | undefined, through: Position): Promise<Page<SealLeaf>> {
  if (hashesSealLeaves(eventStore)) {
    const leaves = await eventStore.readSealLeaves(after, through, LEAF_PAGE);
    return { items: leaves, last: leaves.length < LEAF_PAGE };
  }
  const events = await eventStore.readAll({ ...(after === undefined ? {} : { fromPosition: after }), maxCount: EVENT_PAGE });
  const beyond = events.findIndex((event) => event.position > through);
  const items = (beyond === -1 ? events : events.slice(0, beyond)).map(sealLeafOf);
  return { items, last: beyond !== -1 || events.length === 0 };
}

/** The seal's events after `after` through `through`, a few stretches at a time. */
async function readSeal(knex: Knex, after: Position | undefined, through: Position): Promise<Page<SealedEvent>> {
  // Ordered by the qualified column: the bare name would sort by the text alias, and "9…" comes after "10…".
  const { rows } = await knex.raw<{ rows: Array<Omit<SealStretchRow, 'position'> & { position: string }> }>(
    `SELECT position::text AS position, events, hash, records, streams FROM ${TABLE}
      WHERE position > ? AND position <= ? ORDER BY ${TABLE}.position LIMIT ${STRETCH_PAGE}`,
    [after === undefined ? '-1' : String(after), String(through)],
  );
  const items = rows.flatMap((row): SealedEvent[] => {
    const events: SealedEvent[] = sealedEventsOf(row);
    const last = events.at(-1);
    if (last !== undefined) events[events.length - 1] = { ...last, stretchHash: row.hash };
    return events;
  });
  return { items, last: rows.length < STRETCH_PAGE };
}

async function sealedHead(knex: Knex): Promise<Position | undefined> {
  const { rows } = await knex.raw<{ rows: Array<{ position: string | null }> }>(`SELECT max(position)::text AS position FROM ${TABLE}`);
  const position = rows[0]?.position;
  return position == null ? undefined : BigInt(position);
}

async function sealedCount(knex: Knex, through: Position): Promise<number> {
  const { rows } = await knex.raw<{ rows: Array<{ count: string }> }>(`SELECT coalesce(sum(events), 0)::text AS count FROM ${TABLE} WHERE position <= ?`, [String(through)]);
  return Number(rows[0]?.count ?? 0);
}

/** The last position at or before `position` where a stretch of the seal ends. */
async function stretchEndAtOrBefore(knex: Knex, position: Position): Promise<Position | undefined> {
  const { rows } = await knex.raw<{ rows: Array<{ position: string | null }> }>(`SELECT max(position)::text AS position FROM ${TABLE} WHERE position <= ?`, [String(position)]);
  const end = rows[0]?.position;
  return end == null ? undefined : BigInt(end);
}

/** The log has an event where the seal has another one, or none. */
async function unexpected(knex: Knex, event: NamedEvent, sealedHere: SealedEvent | undefined): Promise<ChainMismatch> {
  const sealedAt = await sealedPositionOf(knex, event.id);
  if (sealedAt !== undefined && sealedAt !== event.position) return { ...mismatchOf('reordered', event), sealedAt };
  return mismatchOf(sealedHere ? 'changed' : 'inserted', event);
}

/** Where the seal has the event with this id, if anywhere. */
async function sealedPositionOf(knex: Knex, eventId: string): Promise<Position | undefined> {
  const { rows } = await knex.raw<{ rows: Array<Pick<SealStretchRow, 'events' | 'records' | 'streams'>> }>(
    `SELECT events, records, streams FROM ${TABLE} WHERE position(uuid_send(?::uuid) IN records) > 0`,
    [eventId],
  );
  for (const row of rows) {
    const index = indexOfEventId(row.records, eventId);
    if (index !== -1) return sealedEventsOf(row)[index]!.position;
  }
  return undefined;
}

/** The seal has an event at a position where the log has none: deleted, or moved elsewhere. */
async function missing(eventStore: EventStore, sealed: SealedEvent): Promise<ChainMismatch> {
  const [now] = await eventStore.readStream(sealed.stream, { fromRevision: sealed.revision, maxCount: 1 });
  if (now && now.id.toLowerCase() === sealed.id && now.position !== sealed.position) return { ...mismatchOf('reordered', now), sealedAt: sealed.position };
  return { kind: 'missing', position: sealed.position, eventId: sealed.id, stream: sealed.stream, revision: sealed.revision };
}

/** What a mismatch names of an event. */
type NamedEvent = Pick<SealLeaf, 'position' | 'id' | 'stream' | 'revision'>;

function mismatchOf(kind: MismatchKind, event: NamedEvent): ChainMismatch {
  return { kind, position: event.position, eventId: event.id, stream: event.stream, revision: event.revision };
}
