import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, flags (int32), header extension length (int32). */
const HEADER_BYTES = SIGNATURE.length + 8;
const TRAILER = -1;

/**
 * Where one tuple's fields lie in `buffer`: field i spans
 * `starts[i] .. starts[i] + lengths[i]`; a length of -1 is NULL.
 */
export type TupleDecoder<T> = (buffer: Buffer, starts: Int32Array, lengths: Int32Array) => T;

/**
 * Reads PostgreSQL's binary COPY format, chunk by chunk, whatever the chunk
 * boundaries: a tuple split across chunks waits for the rest.
 * Each field comes with its length, so nothing is scanned or unescaped.
 * The chunks of an incomplete tuple are only collected until as many bytes
 * as it is known to need have arrived, then joined once: joining at every
 * chunk would copy a large event over and over (quadratic in its size).
 */
export class BinaryCopyParser<T> {
  private readonly rows: T[] = [];
  /** The unparsed rest of the stream so far, not yet joined. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** How many bytes `pending` must hold before parsing it can get further. */
  private needed = 0;
  private headerRead = false;
  private finished = false;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;

  constructor(
    private readonly columns: number,
    private readonly decode: TupleDecoder<T>,
  ) {
    this.starts = new Int32Array(columns);
    this.lengths = new Int32Array(columns);
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.finished) throw new Error('binary COPY: data after the trailer');
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.needed) return;
    const buffer = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    const offset = this.parse(buffer);
    const rest = buffer.length - offset;
    this.pending = rest > 0 ? [buffer.subarray(offset)] : [];
    this.pendingBytes = rest;
  }

  /** Throws unless the stream ended exactly at its trailer. */
  end(): T[] {
    if (!this.finished || this.pendingBytes > 0) throw new Error('binary COPY: stream ended inside a tuple');
    return this.rows;
  }

  /** Decodes every complete tuple in `buffer`; returns where the unparsed rest starts, and sets `needed` for it. */
  private parse(buffer: Buffer): number {
    let offset = 0;
    if (!this.headerRead) {
      const header = this.readHeader(buffer);
      if (header < 0) {
        this.needed = -header;
        return 0;
      }
      offset = header;
    }
    this.needed = 0;
    while (offset < buffer.length) {
      if (offset + 2 > buffer.length) {
        this.needed = 2;
        break;
      }
      const fields = buffer.readInt16BE(offset);
      if (fields === TRAILER) {
        this.finished = true;
        if (offset + 2 < buffer.length) throw new Error('binary COPY: data after the trailer');
        return buffer.length;
      }
      if (fields !== this.columns) throw new Error(`binary COPY: expected ${this.columns} fields, got ${fields}`);
      const end = this.locateFields(buffer, offset + 2);
      if (end < 0) {
        // -end counts from the tuple's field count, which stays in the pending rest.
        this.needed = -end - offset;
        break;
      }
      this.rows.push(this.decode(buffer, this.starts, this.lengths));
      offset = end;
    }
    return offset;
  }

  /** The offset after the header, or minus the bytes it is known to need when the buffer does not hold all of it yet. */
  private readHeader(buffer: Buffer): number {
    if (buffer.length < HEADER_BYTES) return -HEADER_BYTES;
    if (!buffer.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('binary COPY: bad signature');
    const extension = buffer.readInt32BE(SIGNATURE.length + 4);
    if (buffer.length < HEADER_BYTES + extension) return -(HEADER_BYTES + extension);
    this.headerRead = true;
    return HEADER_BYTES + extension;
  }

  /**
   * Records the tuple's fields from `offset`; returns the offset after it or,
   * when it is incomplete, minus the offset it is known to reach at least.
   */
  private locateFields(buffer: Buffer, offset: number): number {
    let position = offset;
    for (let field = 0; field < this.columns; field++) {
      if (position + 4 > buffer.length) return -(position + 4);
      const length = buffer.readInt32BE(position);
      position += 4;
      this.starts[field] = position;
      this.lengths[field] = length;
      if (length > 0) position += length;
      if (position > buffer.length) return -(field + 1 < this.columns ? position + 4 : position);
    }
    return position;
  }
}

/** Runs `COPY (query) TO STDOUT (FORMAT binary)` and decodes every tuple. */
export async function copyOut<T>(client: pg.ClientBase, query: string, columns: number, decode: TupleDecoder<T>): Promise<T[]> {
  const parser = new BinaryCopyParser(columns, decode);
  const stream = client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`));
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) parser.push(chunk);
  } finally {
    settled(stream);
  }
  return parser.end();
}

/**
 * With query_timeout, pg arms a timer for each query and clears it in the
 * query's callback, which pg-copy-streams' COPY TO never calls: without this
 * every read would leave a timer that fires query_timeout later (31 s in the
 * event store), holding the stream and keeping the process from exiting.
 */
function settled(stream: object): void {
  (stream as { callback?: () => void }).callback?.();
}
