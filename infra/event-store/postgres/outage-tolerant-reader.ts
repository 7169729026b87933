import type { Logger } from '../../logging/logger.js';
import { EventStoreUnavailableError } from '../errors.js';
import type { EventFilter, Position, RecordedEvent } from '../event-store.js';
import type { Horizon } from './horizon.js';
import type { PageReader, Span } from './subscription.js';
import { sleep } from '../../sleep.js';

const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 2_000;

/**
 * A subscription's reads, waiting out outages (a database stop or restart, a
 * terminated backend, a silent network): a read that fails with
 * EventStoreUnavailableError is asked again, the same one, with growing pauses,
 * until it succeeds or the subscription closes. The subscription moves on only
 * with what a read returned, so it resumes exactly where it was.
 */
export class OutageTolerantReader implements PageReader {
  private outageSince: number | undefined;

  constructor(
    private readonly reader: PageReader,
    /** Aborted when the subscription closes: the read then fails at once. */
    private readonly signal: AbortSignal,
    private readonly logger: Logger,
  ) {}

  horizon(): Promise<Horizon> {
    return this.untilAnswered(() => this.reader.horizon());
  }

  readPage(after: Position | undefined, horizonTxId: bigint, filter: EventFilter | undefined, limit: number): Promise<RecordedEvent[]> {
    return this.untilAnswered(() => this.reader.readPage(after, horizonTxId, filter, limit));
  }

  lastPositionBelow(horizonTxId: bigint): Promise<Position | undefined> {
    return this.untilAnswered(() => this.reader.lastPositionBelow(horizonTxId));
  }

  spanEnd(after: Position | undefined, horizonTxId: bigint, maxEvents: number): Promise<Span | undefined> {
    return this.untilAnswered(() => this.reader.spanEnd(after, horizonTxId, maxEvents));
  }

  private async untilAnswered<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await read();
        this.recovered();
        return answer;
      } catch (error) {
        if (!(error instanceof EventStoreUnavailableError) || this.signal.aborted) throw error;
        if (this.outageSince === undefined) {
          this.outageSince = Date.now();
          this.logger.warn({ err: error.message }, 'subscription paused: the event store is unavailable; retrying');
        }
        await sleep(Math.min(FIRST_RETRY_MS * 2 ** attempt, LONGEST_RETRY_MS), this.signal);
        if (this.signal.aborted) throw error;
      }
    }
  }

  private recovered(): void {
    if (this.outageSince === undefined) return;
    this.logger.info({ pausedMs: Date.now() - this.outageSince }, 'subscription resumed');
    this.outageSince = undefined;
  }
}
