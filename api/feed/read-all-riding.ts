import { EventStoreUnavailableError } from '../../infra/event-store/errors.js';
import type { EventStore, ReadAllOptions, RecordedEvent } from '../../infra/event-store/event-store.js';
import type { Logger } from '../../infra/logging/logger.js';
import { sleep } from '../../infra/sleep.js';

const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 2_000;

/**
 * A read of the store, asked again with growing pauses while the store is
 * unavailable: an outage pauses a catch-up, it does not end it. Undefined
 * once `signal` aborts (the reader went away); other errors are thrown.
 */
export async function readRiding<T>(read: () => Promise<T>, signal: AbortSignal, logger: Logger): Promise<T | undefined> {
  let outageLogged = false;
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      const answer = await read();
      if (outageLogged) logger.info('live feed read resumed');
      return signal.aborted ? undefined : answer;
    } catch (error) {
      if (!(error instanceof EventStoreUnavailableError) || signal.aborted) {
        if (signal.aborted) return undefined;
        throw error;
      }
      if (!outageLogged) logger.warn({ err: error.message }, 'live feed read paused: the event store is unavailable; retrying');
      outageLogged = true;
      await sleep(Math.min(FIRST_RETRY_MS * 2 ** Math.min(attempt, 10), LONGEST_RETRY_MS), signal);
    }
  }
  return undefined;
}

/** `readAll`, riding out an outage (readRiding). */
export function readAllRiding(store: EventStore, options: ReadAllOptions, signal: AbortSignal, logger: Logger): Promise<RecordedEvent[] | undefined> {
  return readRiding(() => store.readAll(options), signal, logger);
}
