import { BACKWARDS, END, excludeSystemEvents, FORWARDS, START, type Filter, type Position as ClientPosition } from '@kurrent/kurrentdb-client';
import type { Position, ReadAllOptions, ReadStreamOptions, RecordedEvent } from '../event-store.js';
import { isStreamNotFound } from './client-errors.js';
import type { KurrentDbConnection } from './connection.js';
import { isSystemRecord, toRecordedEvent, type ClientResolved } from './events.js';
import { matchesNothing, planFilter } from './filter.js';
import { decodePosition, encodePosition } from './positions.js';

/** Each page is one bounded call, so a long read never runs into one call's deadline. */
const PAGE_SIZE = 1_000;
const HEAD_PAGE_SIZE = 32;
const HEAD_MAX_PAGES = 100;

export async function readStream(connection: KurrentDbConnection, stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
  if (options.maxCount !== undefined && options.maxCount <= 0) return [];
  const backwards = options.direction === 'backwards';
  try {
    return await connection.call(
      async (client) => {
        const events: RecordedEvent[] = [];
        const reading = client.readStream(stream, {
          fromRevision: options.fromRevision ?? (backwards ? END : START),
          direction: backwards ? BACKWARDS : FORWARDS,
          maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
          resolveLinkTos: false,
        });
        for await (const resolved of reading) if (resolved.event) events.push(toRecordedEvent(resolved.event));
        return events;
      },
      { grpc: false },
    );
  } catch (error) {
    if (isStreamNotFound(error)) return [];
    throw error;
  }
}

/** Global order; `fromPosition` is exclusive here while the server's read includes it. */
export async function readAll(connection: KurrentDbConnection, options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
  const wanted = options.maxCount ?? Number.POSITIVE_INFINITY;
  if (wanted <= 0 || matchesNothing(options.filter)) return [];
  const plan = planFilter(options.filter);
  const events: RecordedEvent[] = [];
  let after = options.fromPosition;
  while (events.length < wanted) {
    // One more than needed: the first event read may be the one at `after` itself.
    const limit = Math.min(PAGE_SIZE, wanted - events.length + 1);
    const page = await readAllPage(connection, after === undefined ? START : decodePosition(after), limit, 'forwards', plan.server);
    let lastRead: Position | undefined;
    for (const { event } of page) {
      if (!event?.position) continue;
      const position = encodePosition(event.position);
      lastRead = position;
      if (after !== undefined && position <= after) continue;
      if (plan.matches(event)) events.push(toRecordedEvent(event));
      if (events.length >= wanted) break;
    }
    if (page.length < limit || lastRead === undefined || (after !== undefined && lastRead <= after)) break;
    after = lastRead;
  }
  return events;
}

/** The newest event that is not a system event. */
export async function headPosition(connection: KurrentDbConnection): Promise<Position | undefined> {
  let from: ClientPosition | typeof END = END;
  for (let pages = 0; pages < HEAD_MAX_PAGES; pages++) {
    const page = await readAllPage(connection, from, HEAD_PAGE_SIZE, 'backwards', excludeSystemEvents());
    for (const { event } of page) {
      if (event?.position && !isSystemRecord(event)) return encodePosition(event.position);
    }
    const oldest = page[page.length - 1]?.event?.position;
    if (page.length < HEAD_PAGE_SIZE || !oldest) return undefined;
    from = oldest;
  }
  return undefined;
}

async function readAllPage(
  connection: KurrentDbConnection,
  from: ClientPosition | typeof START | typeof END,
  maxCount: number,
  direction: 'forwards' | 'backwards',
  filter: Filter,
): Promise<ClientResolved[]> {
  return connection.call(
    async (client) => {
      const page: ClientResolved[] = [];
      const reading = client.readAll({
        fromPosition: from,
        direction: direction === 'backwards' ? BACKWARDS : FORWARDS,
        maxCount,
        filter,
        resolveLinkTos: false,
      });
      for await (const resolved of reading) page.push(resolved);
      return page;
    },
    { grpc: false },
  );
}
