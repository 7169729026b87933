import { randomUUID } from 'node:crypto';
import { benchEvent, runConcurrently } from '../support/measure.js';
import type { Subject } from '../subjects/subject.js';

export interface OrderingResult {
  appended: number;
  read: number;
  skipped: number;
  repeated: number;
}

/**
 * 16 writers append single events while a reader follows the log the way the
 * subject's consumers do, page by page from its last position; afterwards the
 * reader drains what is left. Every event must be read exactly once.
 */
export async function checkOrdering(subject: Subject, appends: number): Promise<OrderingResult> {
  const appended = new Set<string>();
  const seen = new Map<string, number>();
  let writing = true;
  let after: bigint | undefined;
  const follow = async (untilDrained: boolean): Promise<void> => {
    for (;;) {
      const page = await subject.readPage(after, 500);
      for (const id of page.ids) seen.set(id, (seen.get(id) ?? 0) + 1);
      if (page.next !== undefined) after = page.next;
      if (page.ids.length === 0) {
        if (untilDrained || !writing) return;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
  };
  const reader = follow(false);
  await runConcurrently(appends, 16, async (i) => {
    const event = benchEvent(i);
    appended.add(event.id);
    await subject.append(`post-${randomUUID()}`, [event]);
  });
  writing = false;
  await reader;
  await follow(true);
  let skipped = 0;
  let repeated = 0;
  for (const id of appended) {
    const count = seen.get(id) ?? 0;
    if (count === 0) skipped++;
    if (count > 1) repeated += count - 1;
  }
  return { appended: appended.size, read: [...seen.values()].reduce((a, b) => a + b, 0), skipped, repeated };
}
