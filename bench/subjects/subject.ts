import type { BenchEvent } from '../support/measure.js';

export interface ReadPage {
  ids: string[];
  /** Where the next page starts; undefined when this page was empty. */
  next: bigint | undefined;
}

/** One way of storing events, measured against the others on the same server. */
export interface Subject {
  name: string;
  /** `ours`, a `peer` to beat, or the `limit` the hardware sets. */
  role: 'ours' | 'peer' | 'limit';
  append(stream: string, events: BenchEvent[]): Promise<void>;
  /** The whole global log, read the fastest way this store offers; returns the event ids. */
  readAll(): Promise<string[]>;
  /** One page of the global log after `after`, as a consumer of this store follows it. */
  readPage(after: bigint | undefined, pageSize: number): Promise<ReadPage>;
  close(): Promise<void>;
}
