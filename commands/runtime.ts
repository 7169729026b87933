import { v7 as uuidv7 } from 'uuid';

/** Where ids and time come from: passed in, so tests can be exact (STYLE.md habit 3). */
export interface Runtime {
  newId(): string;
  now(): Date;
}

/** The production runtime: time-ordered UUIDv7 ids and the system clock. */
export function systemRuntime(): Runtime {
  return { newId: () => uuidv7(), now: () => new Date() };
}
