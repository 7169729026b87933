/**
 * A chaos subscriber process: one subscription from the start of the log,
 * kept for the whole run whatever happens to the database. It checks that
 * positions only grow and reports every event id it was handed, in order.
 */
import type { Position } from '../../infra/event-store/event-store.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { send, type ConductorMessage } from './messages.js';

const url = process.env.CHAOS_DATABASE_URL;
if (!url) throw new Error('CHAOS_DATABASE_URL is unset');
const store = await PostgresEventStore.connect({ connectionString: url, logger: createLogger('silent'), pollIntervalMs: 200 });
const subscription = store.subscribeToAll();
const ids: string[] = [];
let last: Position | undefined;
let outOfOrder = 0;

const progress = setInterval(() => send({ kind: 'progress', count: ids.length, position: last === undefined ? null : String(last) }), 500);
process.on('message', (message: ConductorMessage) => {
  if (message.kind === 'report') send({ kind: 'seen', ids, outOfOrder });
  if (message.kind === 'stop') {
    clearInterval(progress);
    void subscription.close().then(() => store.close()).then(() => process.disconnect());
  }
});
send({ kind: 'ready' });

for await (const item of subscription) {
  if (item.kind !== 'event') continue;
  if (last !== undefined && item.event.position <= last) outOfOrder++;
  last = item.event.position;
  ids.push(item.event.id);
}
