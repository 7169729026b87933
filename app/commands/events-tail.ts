import { eventToJson } from '../../infra/event-store/event-json.js';
import type { EventFilter, EventStore, Position, RecordedEvent } from '../../infra/event-store/event-store.js';
import { connectServices } from '../connect-services.js';
import { listenForShutdown } from '../shutdown-signal.js';
import { toolContext, writeLine } from './tool-context.js';

export interface TailOptions {
  /** Exclusive: the events after this position. */
  from?: Position;
  /** Keep printing new events until SIGINT or SIGTERM. */
  follow: boolean;
  /** Only events of these streams (exact names); any, when empty. */
  streams?: readonly string[];
  /** Only events of streams of these categories (`post` for `post-<id>`); any, when empty. */
  categories?: readonly string[];
  /** Only events of these types; any, when empty. */
  types?: readonly string[];
}

const PAGE_SIZE = 500;

/** `chronicle events tail`: the log as stored (not upcast), one JSON line per event (infra/event-store/event-json.ts). */
export async function eventsTailCommand(env: NodeJS.ProcessEnv, options: TailOptions): Promise<number> {
  const { config, logger, runtime } = toolContext(env);
  try {
    const { eventStore } = await connectServices(runtime, config, logger);
    const selection = selectionOf(options);
    if (options.follow) await follow(eventStore, options.from, selection);
    else await printAll(eventStore, options.from, selection);
    return 0;
  } finally {
    await runtime.stop();
  }
}

/**
 * What to print: the store filters by stream prefix and type (its
 * EventFilter), then `wanted` keeps exact stream names, since the prefix
 * `post-1` also matches `post-12`, and both streams and categories when
 * both are given.
 */
interface Selection {
  filter: EventFilter;
  wanted(event: RecordedEvent): boolean;
}

export function selectionOf(options: Pick<TailOptions, 'streams' | 'categories' | 'types'>): Selection {
  const streams = new Set(options.streams ?? []);
  const prefixes = (options.categories ?? []).map((category) => `${category}-`);
  const types = options.types ?? [];
  const filter: EventFilter = {
    ...(streams.size > 0 ? { streamPrefixes: [...streams] } : prefixes.length > 0 ? { streamPrefixes: prefixes } : {}),
    ...(types.length > 0 ? { eventTypes: [...types] } : {}),
  };
  return {
    filter,
    wanted: (event) => (streams.size === 0 || streams.has(event.stream)) && (prefixes.length === 0 || prefixes.some((prefix) => event.stream.startsWith(prefix))),
  };
}

async function printAll(eventStore: EventStore, from: Position | undefined, selection: Selection): Promise<void> {
  let after = from;
  for (;;) {
    const page = await eventStore.readAll({ ...(after === undefined ? {} : { fromPosition: after }), maxCount: PAGE_SIZE, filter: selection.filter });
    for (const event of page) if (selection.wanted(event)) await writeLine(eventLine(event));
    const last = page.at(-1);
    if (!last || page.length < PAGE_SIZE) return;
    after = last.position;
  }
}

async function follow(eventStore: EventStore, from: Position | undefined, selection: Selection): Promise<void> {
  const subscription = eventStore.subscribeToAll({ ...(from === undefined ? {} : { fromPosition: from }), filter: selection.filter });
  const shutdown = listenForShutdown(() => process.exit(1));
  void shutdown.received.then(() => subscription.close());
  try {
    for await (const item of subscription) {
      if (item.kind === 'event' && selection.wanted(item.event)) await writeLine(eventLine(item.event));
    }
  } finally {
    shutdown.dispose();
    await subscription.close();
  }
}

export function eventLine(event: RecordedEvent): string {
  return JSON.stringify(eventToJson(event));
}
