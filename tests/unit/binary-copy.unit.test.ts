import { describe, expect, it, jest } from '@jest/globals';
import { BinaryCopyParser, type TupleDecoder } from '../../infra/event-store/postgres/binary-copy.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

function header(extension = Buffer.alloc(0)): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeInt32BE(extension.length, 4);
  return Buffer.concat([SIGNATURE, fixed, extension]);
}

function tuple(fields: (string | null)[]): Buffer {
  const parts = [Buffer.from([fields.length >> 8, fields.length & 0xff])];
  for (const field of fields) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(field === null ? -1 : Buffer.byteLength(field));
    parts.push(length);
    if (field !== null) parts.push(Buffer.from(field));
  }
  return Buffer.concat(parts);
}

const TRAILER = Buffer.from([0xff, 0xff]);

const asStrings: TupleDecoder<(string | null)[]> = (buffer, starts, lengths) =>
  Array.from(starts, (start, i) => (lengths[i]! < 0 ? null : buffer.toString('utf8', start, start + lengths[i]!)));

function parseInChunks(stream: Buffer, size: number, columns = 3): (string | null)[][] {
  const parser = new BinaryCopyParser(columns, asStrings);
  for (let offset = 0; offset < stream.length; offset += size) parser.push(stream.subarray(offset, offset + size));
  return parser.end();
}

describe('binary COPY parser', () => {
  const rows = [
    ['a', 'Grüße 👋', null],
    ['', 'tab\there\nnewline \\ backslash', '{"json": true}'],
    ['x'.repeat(70_000), 'y', 'z'],
  ];
  const stream = Buffer.concat([header(Buffer.from('ext')), ...rows.map(tuple), TRAILER]);

  it('reads every tuple whatever the chunk boundaries', () => {
    for (const size of [1, 2, 3, 7, 19, 64, 1024, stream.length]) expect(parseInChunks(stream, size)).toEqual(rows);
  });

  it('reads an empty result', () => {
    expect(parseInChunks(Buffer.concat([header(), TRAILER]), 5)).toEqual([]);
  });

  it('rejects a stream cut short, a wrong signature, a wrong width and data after the trailer', () => {
    expect(() => parseInChunks(stream.subarray(0, stream.length - 5), 100)).toThrow('stream ended inside a tuple');
    expect(() => parseInChunks(Buffer.concat([header(), tuple(['a', 'b', 'c'])]), 100)).toThrow('stream ended inside a tuple');
    expect(() => parseInChunks(Buffer.concat([Buffer.from('NOTCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1'), TRAILER]), 100)).toThrow('bad signature');
    expect(() => parseInChunks(Buffer.concat([header(), tuple(['a', 'b']), TRAILER]), 100)).toThrow('expected 3 fields, got 2');
    expect(() => parseInChunks(Buffer.concat([header(), TRAILER, tuple(['a', 'b', 'c'])]), 1000)).toThrow('data after the trailer');
  });

  it('copies a large tuple delivered in small chunks a bounded number of times, not once per chunk', () => {
    const large = 'x'.repeat(1 << 20);
    const big = Buffer.concat([header(), tuple(['a', large, 'z']), tuple(['b', 'c', 'd']), TRAILER]);
    // Every byte the parser copies goes through Buffer.concat; joining at every chunk would copy about 128 MiB here.
    const concat = jest.spyOn(Buffer, 'concat');
    try {
      const parsed = parseInChunks(big, 4096);
      const copied = concat.mock.results.reduce((total, result) => total + (result.value as Buffer).length, 0);
      expect(parsed).toEqual([['a', large, 'z'], ['b', 'c', 'd']]);
      expect(copied).toBeLessThanOrEqual(2 * big.length);
    } finally {
      concat.mockRestore();
    }
  });
});
