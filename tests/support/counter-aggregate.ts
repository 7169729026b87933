import { z } from 'zod';
import { defineAggregate } from '../../commands/aggregate.js';
import type { Decider } from '../../domain/shared/decider.js';
import { eventSchema } from '../../domain/shared/events.js';

/**
 * The smallest aggregate that shows a lost update: each event records the
 * total it decided from, so a command decided on stale state repeats a total.
 */
const incrementedSchema = eventSchema('Incremented', z.object({ total: z.number().int() }));
export type CounterEvent = z.infer<typeof incrementedSchema>;
export type CounterCommand = { type: 'Increment' };
export type CounterState = { count: number };

const counterDecider: Decider<CounterState, CounterCommand, CounterEvent> = {
  initialState: () => ({ count: 0 }),
  evolve: (state, event) => ({ count: event.data.total }),
  decide: (_command, state) => [{ type: 'Incremented', data: { total: state.count + 1 } }],
};

export const counterAggregate = defineAggregate('counter', counterDecider, incrementedSchema);
/** The same counter, loaded from snapshots. */
export const snapshottedCounterAggregate = defineAggregate('counter', counterDecider, incrementedSchema, {
  snapshot: { version: 1, schema: z.object({ count: z.number().int() }) },
});
export const increment: CounterCommand = { type: 'Increment' };
