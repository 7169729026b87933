import type pg from 'pg';
import { APPEND_MANY_SQL, APPEND_ONE_SQL, appendManyParams, appendOneParams, type AppendOutcome, type PreparedAppend } from './append-statements.js';

/** Appends of this many events or more go straight to the database. */
const ALONE_FROM_EVENTS = 50;
/** A shared statement takes appends up to this many UTF-16 code units of payload: large ones gain nothing from sharing a commit. */
const MAX_STATEMENT_PAYLOAD_LENGTH = 8 * 1024 * 1024;

interface Waiting {
  append: PreparedAppend;
  resolve(outcome: AppendOutcome): void;
  reject(error: unknown): void;
}

/**
 * Group commit in the application: at most `maxInFlight` append statements
 * run at once; appends that arrive meanwhile wait and then go together, as
 * one statement and one transaction (one commit, one fsync), each still
 * checked against its own expected revision. Alone, an append goes at once;
 * so does a large one.
 * A batch that fails (a unique violation: a race or a duplicate id) is retried
 * one append at a time, so each caller sees only its own outcome.
 */
export class AppendBatcher {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxInFlight: number,
    private readonly maxEventsPerStatement: number,
  ) {}

  submit(append: PreparedAppend): Promise<AppendOutcome> {
    // A large append has a commit's worth of work of its own: sharing one
    // gains little, and waiting for a turn would keep the second core idle.
    if (append.ids.length >= ALONE_FROM_EVENTS) return this.appendOne(append);
    return new Promise((resolve, reject) => {
      this.waiting.push({ append, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      void this.run(batch).finally(() => {
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

  private async run(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch;
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
        values: appendManyParams(batch.map((waiting) => waiting.append)),
      }));
    } catch {
      // Nothing of the batch was written; find out whose fault it was, one by one.
      await Promise.all(batch.map((waiting) => this.run([waiting])));
      return;
    }
    batch.forEach((waiting, index) => waiting.resolve(rows[index]!));
  }

  private async appendOne(append: PreparedAppend): Promise<AppendOutcome> {
    const { rows } = await this.pool.query<AppendOutcome>({ name: 'chronicle_append', text: APPEND_ONE_SQL, values: appendOneParams(append) });
    return rows[0]!;
  }
}
