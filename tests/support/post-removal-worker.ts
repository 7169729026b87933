/**
 * A worker process for the post-removal tests: runs the post_removals
 * projection and the reactor that appends the removals, against
 * WORKER_DATABASE_URL, until SIGTERM (or SIGKILL). Silent: the tests judge
 * it by the log. REACTOR_PAUSE_MS slows each removal, so a kill lands
 * between removals.
 */
import { CommandHandler } from '../../commands/command-handler.js';
import { PostRemovalReactor } from '../../commands/post-removal-reactor.js';
import { systemRuntime } from '../../commands/runtime.js';
import type { AppendOptions, AppendResult, EventStore, NewEvent } from '../../infra/event-store/event-store.js';
import { postRemovalsDueProjection } from '../../projections/collections/post-removals-due.js';
import { connectWorkerEngine, exitCleanlyOnSigterm } from './worker-engine.js';

const onceStarted = exitCleanlyOnSigterm();
const pauseMs = Number(process.env.REACTOR_PAUSE_MS ?? 0);
const { store, knex, engine, logger } = await connectWorkerEngine([postRemovalsDueProjection()]);
// Each removal appended waits a little afterwards, so that a SIGKILL finds removals appended whose rows are still due.
async function appendThenPause(stream: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
  const result = await store.appendToStream(stream, events, options);
  if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  return result;
}
const slowStore = new Proxy<EventStore>(store, {
  get(target, property) {
    if (property === 'appendToStream') return appendThenPause;
    const value: unknown = Reflect.get(target, property, target);
    return typeof value === 'function' ? value.bind(target) : value;
  },
});
const reactor = new PostRemovalReactor({
  knex,
  commands: new CommandHandler({ eventStore: slowStore, runtime: systemRuntime() }),
  logger,
  intervalMs: 50,
});
await engine.start();
await reactor.start();
onceStarted(async () => {
  await Promise.all([reactor.stop(), engine.stop()]);
  await Promise.all([store.close(), knex.destroy()]);
});
