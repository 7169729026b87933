import { eventTypeFilter, excludeSystemEvents, streamNameFilter, type Filter } from '@kurrent/kurrentdb-client';
import type { EventFilter } from '../event-store.js';
import { isSystemRecord, type ClientRecord } from './events.js';

export interface FilterPlan {
  /** What the server filters on: it takes one kind, stream prefixes or event types. */
  server: Filter;
  /** The whole filter, applied again to what the server sends, system events excluded. */
  matches(record: Pick<ClientRecord, 'streamId' | 'type'>): boolean;
}

/**
 * Both parts of the port's filter narrow the selection, but the server filters on one
 * kind only. Stream prefixes go to the server when given (a category is the narrower
 * cut in practice), else event types as prefixes; the rest is checked here, exactly.
 * Without a filter the server still drops `$` event types, the bulk of system traffic.
 */
export function planFilter(filter: EventFilter | undefined): FilterPlan {
  // System events are never returned, so `$` prefixes and types can only match nothing.
  const prefixes = filter?.streamPrefixes?.filter((prefix) => !prefix.startsWith('$'));
  const types = filter?.eventTypes?.filter((type) => !type.startsWith('$'));
  const typeSet = types ? new Set(types) : undefined;
  const server =
    prefixes && prefixes.length > 0
      ? streamNameFilter({ prefixes })
      : types && types.length > 0
        ? eventTypeFilter({ prefixes: types })
        : excludeSystemEvents();
  return {
    server,
    matches: (record) =>
      !isSystemRecord(record) &&
      (prefixes === undefined || prefixes.some((prefix) => record.streamId.startsWith(prefix))) &&
      (typeSet === undefined || typeSet.has(record.type)),
  };
}

/** An empty list in a filter matches nothing, as in the PostgreSQL adapter. */
export function matchesNothing(filter: EventFilter | undefined): boolean {
  const prefixes = filter?.streamPrefixes?.filter((prefix) => !prefix.startsWith('$'));
  const types = filter?.eventTypes?.filter((type) => !type.startsWith('$'));
  return prefixes?.length === 0 || types?.length === 0;
}
