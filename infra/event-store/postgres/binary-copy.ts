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
 */
export class BinaryCopyParser<T> {
  private readonly rows: T[] = [];
  private pending: Buffer | undefined;
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
    const buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = this.headerRead ? 0 : this.readHeader(buffer);
    if (offset < 0) {
      this.pending = buffer;
      return;
    }
    while (!this.finished && offset + 2 <= buffer.length) {
      const fields = buffer.readInt16BE(offset);
      if (fields === TRAILER) {
        this.finished = true;
        offset += 2;
        break;
      }
      if (fields !== this.columns) throw new Error(`binary COPY: expected ${this.columns} fields, got ${fields}`);
      const end = this.locateFields(buffer, offset + 2);
      if (end < 0) break;
      this.rows.push(this.decode(buffer, this.starts, this.lengths));
      offset = end;
    }
    if (this.finished && offset < buffer.length) throw new Error('binary COPY: data after the trailer');
    this.pending = offset < buffer.length ? buffer.subarray(offset) : undefined;
  }

  /** Throws unless the stream ended exactly at its trailer. */
  end(): T[] {
    if (!this.finished || this.pending) throw new Error('binary COPY: stream ended inside a tuple');
    return this.rows;
  }

  /** The offset after the header, or -1 when the buffer does not hold all of it yet. */
  private readHeader(buffer: Buffer): number {
    if (buffer.length < HEADER_BYTES) return -1;
    if (!buffer.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('binary COPY: bad signature');
    const extension = buffer.readInt32BE(SIGNATURE.length + 4);
    if (buffer.length < HEADER_BYTES + extension) return -1;
    this.headerRead = true;
    return HEADER_BYTES + extension;
  }

  /** Records the tuple's fields from `offset`; returns the offset after it, or -1 when it is incomplete. */
  private locateFields(buffer: Buffer, offset: number): number {
    let position = offset;
    for (let field = 0; field < this.columns; field++) {
      if (position + 4 > buffer.length) return -1;
      const length = buffer.readInt32BE(position);
      position += 4;
      this.starts[field] = position;
      this.lengths[field] = length;
      if (length > 0) position += length;
      if (position > buffer.length) return -1;
    }
    return position;
  }
}

/** Runs `COPY (query) TO STDOUT (FORMAT binary)` and decodes every tuple. */
export async function copyOut<T>(client: pg.PoolClient, query: string, columns: number, decode: TupleDecoder<T>): Promise<T[]> {
  const parser = new BinaryCopyParser(columns, decode);
  const stream = client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`));
  for await (const chunk of stream as AsyncIterable<Buffer>) parser.push(chunk);
  return parser.end();
}
