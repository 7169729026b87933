import type pg from 'pg';
import { EventStoreTimeoutError } from '../errors.js';
import { APPEND_MANY_SQL, APPEND_ONE_SQL, appendManyParams, appendOneParams, type AppendOutcome, type PreparedAppend } from './append-statements.js';

/** Appends of this many events or more go straight to the database. */
const ALONE_FROM_EVENTS = 50;
/** A shared statement takes appends up to this many UTF-16 code units of payload: large ones gain nothing from sharing a commit. */
const MAX_STATEMENT_PAYLOAD_LENGTH = 8 * 1024 * 1024;

/** One caller's append, answered once: by the database, or by its deadline, whichever comes first. */
class Waiting {
  private settled = false;
  private readonly timer: NodeJS.Timeout;
  /** Resolves once the caller has its answer. */
  readonly answered: Promise<void>;
  private markAnswered!: () => void;

  constructor(
    readonly append: PreparedAppend,
    deadline: number,
    private readonly onResolve: (outcome: AppendOutcome) => void,
    private readonly onReject: (error: unknown) => void,
    onExpired: (waiting: Waiting) => void,
  ) {
    this.answered = new Promise((resolve) => (this.markAnswered = resolve));
    this.timer = setTimeout(() => onExpired(this), Math.max(0, deadline - Date.now()));
  }

  get isAnswered(): boolean {
    return this.settled;
  }

  resolve(outcome: AppendOutcome): void {
    if (this.settle()) this.onResolve(outcome);
  }

  reject(error: unknown): void {
    if (this.settle()) this.onReject(error);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    this.markAnswered();
    return true;
  }
}

/**
 * Group commit in the application: at most `maxInFlight` append statements
 * run at once; appends that arrive meanwhile wait and then go together, as
 * one statement and one transaction (one commit, one fsync), each still
 * checked against its own expected revision. Alone, an append goes at once;
 * so does a large one.
 *
 * Every append has a deadline: past it, the caller gets an
 * EventStoreTimeoutError whether or not the database ever answers, and a
 * statement slot whose appends have all been answered is free again, so a
 * dead connection cannot hold the others back.
 * A batch that fails on one append's data (a unique violation: a race or a
 * duplicate id; a bad value) is retried one append at a time, so each caller
 * sees only its own outcome. A batch that times out or loses its connection
 * fails all its appends at once: running them again one by one would only
 * double the wait.
 */
export class AppendBatcher {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxInFlight: number,
    private readonly maxEventsPerStatement: number,
  ) {}

  /** `deadline` is a Date.now() time. */
  submit(append: PreparedAppend, deadline: number): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      const waiting = new Waiting(append, deadline, resolve, reject, (expired) => this.expire(expired));
      // A large append has a commit's worth of work of its own: sharing one
      // gains little, and waiting for a turn would keep the second core idle.
      if (append.ids.length >= ALONE_FROM_EVENTS) {
        void this.execute([waiting]);
        return;
      }
      this.waiting.push(waiting);
      this.pump();
    });
  }

  private expire(waiting: Waiting): void {
    const queued = this.waiting.indexOf(waiting);
    if (queued >= 0) this.waiting.splice(queued, 1);
    const stream = waiting.append.stream;
    waiting.reject(
      queued >= 0
        ? new EventStoreTimeoutError(`append to stream ${stream} timed out waiting for its turn; nothing was written`)
        : new EventStoreTimeoutError(`append to stream ${stream} got no answer in time; it may have been written: appending the same events again is safe`),
    );
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      // The slot is free once every append in it has its answer, even if the statement never settles.
      void Promise.race([this.execute(batch), Promise.all(batch.map((waiting) => waiting.answered))]).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The oldest waiting appends, to distinct streams (two revisions of one stream cannot be decided in one statement). */
  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const streams = new Set<string>();
    let events = 0;
    let payloadLength = 0;
    for (let i = 0; i < this.waiting.length; ) {
      const candidate = this.waiting[i]!;
      const size = candidate.append.ids.length;
      const length = candidate.append.payloadLength;
      if (batch.length > 0 && (events + size > this.maxEventsPerStatement || payloadLength + length > MAX_STATEMENT_PAYLOAD_LENGTH)) break;
      if (streams.has(candidate.append.stream)) {
        i++;
        continue;
      }
      batch.push(candidate);
      streams.add(candidate.append.stream);
      events += size;
      payloadLength += length;
      this.waiting.splice(i, 1);
    }
    return batch;
  }

  private async execute(batch: Waiting[]): Promise<void> {
    const live = batch.filter((waiting) => !waiting.isAnswered);
    if (live.length === 0) return;
    if (live.length === 1) {
      const [only] = live;
      try {
        only!.resolve(await this.appendOne(only!.append));
      } catch (error) {
        only!.reject(error);
      }
      return;
    }
    let rows: AppendOutcome[];
    try {
      ({ rows } = await this.pool.query<AppendOutcome>({
        name: 'chronicle_append_many',
        text: APPEND_MANY_SQL,
        values: appendManyParams(live.map((waiting) => waiting.append)),
      }));
    } catch (error) {
      if (!blamesOneAppend(error)) {
        for (const waiting of live) waiting.reject(error);
        return;
      }
      // Nothing of the batch was written; find out whose fault it was, one by one.
      await Promise.all(live.map((waiting) => this.execute([waiting])));
      return;
    }
    live.forEach((waiting, index) => waiting.resolve(rows[index]!));
  }

  private async appendOne(append: PreparedAppend): Promise<AppendOutcome> {
    const { rows } = await this.pool.query<AppendOutcome>({ name: 'chronicle_append', text: APPEND_ONE_SQL, values: appendOneParams(append) });
    return rows[0]!;
  }
}

/**
 * Errors one append's data can cause: integrity (a unique violation: another
 * writer took the revision, or an event id is already recorded) and data
 * exceptions (a value PostgreSQL refuses). Timeouts, cancellations and lost
 * connections are the whole statement's.
 */
function blamesOneAppend(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return code.startsWith('23') || code.startsWith('22');
}
