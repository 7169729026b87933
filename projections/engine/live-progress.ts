import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import type { Batch } from './batcher.js';

/** How far behind a live runner is, as a scrape sees it. */
export interface LagReading {
  /** The runner has reached the head of the log since it (re)started. */
  caughtUp: boolean;
  /** Age of the oldest event not yet applied; 0 when none waits; undefined before the first event is known. */
  lagSeconds: number | undefined;
}

/** The runner's read-ahead: events received from the log and not yet handed out as a batch. */
export interface ReadAhead {
  oldestQueuedEvent(): RecordedEvent | undefined;
}

/**
 * What a live runner knows about its lag from the events it has already read,
 * so that reading it costs no I/O: a metrics scrape must neither read the log
 * nor fail because the event store is down. The subscription delivers events in
 * log order from the checkpoint, so the first event read and not yet applied is
 * the oldest one the projection still has to apply.
 */
export class LiveProgress {
  private readAhead: ReadAhead | undefined;
  private applying: RecordedEvent | undefined;
  private lastApplied: RecordedEvent | undefined;
  private reachedHead = false;

  constructor(private readonly now: () => number = Date.now) {}

  /** A new subscription from the checkpoint: until it reports caught-up, the runner is catching up. */
  follow(readAhead: ReadAhead): void {
    this.readAhead = readAhead;
    this.applying = undefined;
    this.reachedHead = false;
  }

  get following(): boolean {
    return this.readAhead !== undefined;
  }

  /** The runner stopped following the log; `stuckOn` is the event a failed projection could not apply. */
  unfollow(stuckOn?: RecordedEvent): void {
    this.readAhead = undefined;
    this.applying = stuckOn;
    this.reachedHead = false;
  }

  taken(batch: Batch): void {
    this.applying = batch.events[0];
  }

  applied(batch: Batch): void {
    this.applying = undefined;
    this.lastApplied = batch.events.at(-1) ?? this.lastApplied;
    if (batch.caughtUp) this.reachedHead = true;
  }

  reading(): LagReading {
    const oldest = this.applying ?? this.readAhead?.oldestQueuedEvent();
    if (oldest) return { caughtUp: this.reachedHead, lagSeconds: this.ageSeconds(oldest) };
    if (this.reachedHead) return { caughtUp: true, lagSeconds: 0 };
    // Catching up between two pages: the next event is younger than the last one applied.
    return { caughtUp: false, lagSeconds: this.lastApplied ? this.ageSeconds(this.lastApplied) : undefined };
  }

  private ageSeconds(event: RecordedEvent): number {
    // Clocks of two machines: never report a negative age.
    return Math.max(0, (this.now() - event.recordedAt.getTime()) / 1000);
  }
}
