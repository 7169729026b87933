import { randomUUID } from 'node:crypto';
import { benchEvent, median, runConcurrently } from '../support/measure.js';
import type { Subject } from '../subjects/subject.js';

export interface AppendScenario {
  name: string;
  concurrency: number;
  eventsPerAppend: number;
  appends: number;
}

export const appendScenarios: AppendScenario[] = [
  { name: 'append 1 event to a new stream, concurrency 1', concurrency: 1, eventsPerAppend: 1, appends: 2_000 },
  { name: 'append 1 event to a new stream, concurrency 16', concurrency: 16, eventsPerAppend: 1, appends: 8_000 },
  { name: 'append 100 events to a new stream, concurrency 4', concurrency: 4, eventsPerAppend: 100, appends: 600 },
];

/** Events per second, the median of `rounds` runs. */
export async function measureAppends(subject: Subject, scenario: AppendScenario, rounds: number): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const batches = Array.from({ length: scenario.appends }, (_, i) =>
      Array.from({ length: scenario.eventsPerAppend }, (_, j) => benchEvent(i * scenario.eventsPerAppend + j)),
    );
    const seconds = await runConcurrently(scenario.appends, scenario.concurrency, (i) =>
      subject.append(`post-${randomUUID()}`, batches[i]!),
    );
    rates.push((scenario.appends * scenario.eventsPerAppend) / seconds);
  }
  return median(rates);
}
