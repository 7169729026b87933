/**
 * A chaos writer process: WRITERS loops append 1 to 5 events at a time, to
 * streams of their own and to one hot stream all share, with expected
 * revision `any`. A failed append is retried with the same event ids until
 * acknowledged (an append is idempotent by id), so every id reported as
 * acknowledged must end up in the log exactly once.
 */
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../infra/event-store/event-store.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { send, type ConductorMessage } from './messages.js';

const url = requiredEnv('CHAOS_DATABASE_URL');
const loops = Number(process.env.CHAOS_WRITERS ?? 4);
const writerName = process.env.CHAOS_NAME ?? `writer-${process.pid}`;
const store = await PostgresEventStore.connect({ connectionString: url, logger: createLogger('silent'), appendTimeoutMs: 3_000 });

let stopping = false;
let acknowledged: string[] = [];
const errors: Record<string, number> = {};

async function writeLoop(loop: number): Promise<void> {
  for (let n = 0; !stopping; n++) {
    const stream = n % 10 === 0 ? 'chaos-hot' : `chaos-${writerName}-${loop}-${n % 20}`;
    const events: NewEvent[] = Array.from({ length: 1 + (n % 5) }, (_, i) => ({
      id: randomUUID(),
      type: i % 2 === 0 ? 'ChaosHappened' : 'ChaosContinued',
      data: { writer: writerName, loop, n, i },
      metadata: { correlationId: randomUUID() },
    }));
    for (;;) {
      try {
        await store.appendToStream(stream, events);
        acknowledged.push(...events.map((event) => event.id));
        break;
      } catch (error) {
        const name = error instanceof Error ? error.constructor.name : typeof error;
        errors[name] = (errors[name] ?? 0) + 1;
        // Even when stopping: an append that may have been written is settled before we leave.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

function flush(): void {
  if (acknowledged.length > 0) send({ kind: 'acknowledged', ids: acknowledged });
  acknowledged = [];
  send({ kind: 'errors', byName: { ...errors } });
}

const flusher = setInterval(flush, 500);
const running = Promise.all(Array.from({ length: loops }, (_, loop) => writeLoop(loop)));
process.on('message', (message: ConductorMessage) => {
  if (message.kind !== 'stop') return;
  stopping = true;
  void running.then(async () => {
    clearInterval(flusher);
    flush();
    await store.close();
    process.disconnect();
  });
});
send({ kind: 'ready' });

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset`);
  return value;
}
