import { randomUUID } from 'node:crypto';
import { benchEvent, median, runConcurrently, timed } from '../support/measure.js';
import type { Subject } from '../subjects/subject.js';

/** Loads `count` events in 1,000-event appends, spread over streams. */
export async function loadEvents(subject: Subject, count: number): Promise<void> {
  const perAppend = 1_000;
  await runConcurrently(Math.ceil(count / perAppend), 4, async (i) => {
    const events = Array.from({ length: perAppend }, (_, j) => benchEvent(i * perAppend + j));
    await subject.append(`post-${randomUUID()}`, events);
  });
}

export interface ReadAllMeasure {
  eventsPerSecond: number;
  /** Distinct events the read returned, which a faulty global read leaves short of what was loaded. */
  distinct: number;
}

/** Reads the whole log once. */
export async function measureReadAll(subject: Subject): Promise<ReadAllMeasure> {
  let ids: string[] = [];
  const seconds = await timed(async () => {
    ids = await subject.readAll();
  });
  return { eventsPerSecond: ids.length / seconds, distinct: new Set(ids).size };
}
