import { postgresLogCounter, storeLogCounter, type LogCounter } from '../projections/index.js';
import type { Services } from './services.js';

/** Counting lag in SQL needs the log in this database; KurrentDB's is counted by reading. */
export function logCounter({ knex, eventStore }: Pick<Services, 'knex' | 'eventStore'>): LogCounter {
  return eventStore.kind === 'postgres' ? postgresLogCounter(knex) : storeLogCounter(eventStore);
}
