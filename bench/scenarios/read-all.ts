import { randomUUID } from 'node:crypto';
import { benchEvent, median, runConcurrently, timed } from '../support/measure.js';
import type { Subject } from '../subjects/subject.js';

export const READ_PAGE_SIZE = 1_000;

/** Loads `count` events in 1,000-event appends, spread over streams. */
export async function loadEvents(subject: Subject, count: number): Promise<void> {
  const perAppend = 1_000;
  await runConcurrently(Math.ceil(count / perAppend), 4, async (i) => {
    const events = Array.from({ length: perAppend }, (_, j) => benchEvent(i * perAppend + j));
    await subject.append(`post-${randomUUID()}`, events);
  });
}

/** Reads the whole log page by page; events per second, the median of `rounds` full reads. */
export async function measureReadAll(subject: Subject, expected: number, rounds: number): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let read = 0;
    const seconds = await timed(async () => {
      let after: bigint | undefined;
      for (;;) {
        const page = await subject.readPage(after, READ_PAGE_SIZE);
        read += page.ids.length;
        if (page.next === undefined || page.ids.length < READ_PAGE_SIZE) break;
        after = page.next;
      }
    });
    if (read < expected) throw new Error(`${subject.name} read ${read} of ${expected} events`);
    rates.push(read / seconds);
  }
  return median(rates);
}
