import { eventToJson } from '../../infra/event-store/event-json.js';
import type { EventStore, Position, RecordedEvent } from '../../infra/event-store/event-store.js';
import { connectServices } from '../connect-services.js';
import { listenForShutdown } from '../shutdown-signal.js';
import { toolContext, writeLine } from './tool-context.js';

export interface TailOptions {
  /** Exclusive: the events after this position. */
  from?: Position;
  /** Keep printing new events until SIGINT or SIGTERM. */
  follow: boolean;
}

const PAGE_SIZE = 500;

/** `chronicle events tail`: the log as stored (not upcast), one JSON line per event (infra/event-store/event-json.ts). */
export async function eventsTailCommand(env: NodeJS.ProcessEnv, options: TailOptions): Promise<number> {
  const { config, logger, runtime } = toolContext(env);
  try {
    const { eventStore } = await connectServices(runtime, config, logger);
    if (options.follow) await follow(eventStore, options.from);
    else await printAll(eventStore, options.from);
    return 0;
  } finally {
    await runtime.stop();
  }
}

async function printAll(eventStore: EventStore, from: Position | undefined): Promise<void> {
  let after = from;
  for (;;) {
    const page = await eventStore.readAll({ ...(after === undefined ? {} : { fromPosition: after }), maxCount: PAGE_SIZE });
    for (const event of page) await writeLine(eventLine(event));
    const last = page.at(-1);
    if (!last || page.length < PAGE_SIZE) return;
    after = last.position;
  }
}

async function follow(eventStore: EventStore, from: Position | undefined): Promise<void> {
  const subscription = eventStore.subscribeToAll(from === undefined ? {} : { fromPosition: from });
  const shutdown = listenForShutdown(() => process.exit(1));
  void shutdown.received.then(() => subscription.close());
  try {
    for await (const item of subscription) {
      if (item.kind === 'event') await writeLine(eventLine(item.event));
    }
  } finally {
    shutdown.dispose();
    await subscription.close();
  }
}

export function eventLine(event: RecordedEvent): string {
  return JSON.stringify(eventToJson(event));
}
