import { describe, expect, it } from '@jest/globals';
import { placeAsOf, type HistoryMark } from '../../domain/audit/as-of.js';

const at = (iso: string) => new Date(iso);
const marks: HistoryMark[] = [
  { revision: 0n, occurredAt: at('2026-01-01T10:00:00.000Z') },
  { revision: 1n, occurredAt: at('2026-01-01T11:00:00.000Z') },
  { revision: 2n, occurredAt: at('2026-01-01T12:00:00.000Z') },
];

describe('placeAsOf: where a revision or a time falls in a stream', () => {
  it('by revision: the event at that revision; past the last, beyond the head', () => {
    expect(placeAsOf(marks, { kind: 'revision', revision: 0n })).toEqual({ kind: 'at', index: 0 });
    expect(placeAsOf(marks, { kind: 'revision', revision: 2n })).toEqual({ kind: 'at', index: 2 });
    expect(placeAsOf(marks, { kind: 'revision', revision: 3n })).toEqual({ kind: 'beyond_head', head: 2n });
    expect(placeAsOf([], { kind: 'revision', revision: 0n })).toEqual({ kind: 'beyond_head', head: -1n });
  });

  it('by time: the last event that had occurred by then, an event at that very time included', () => {
    expect(placeAsOf(marks, { kind: 'time', at: at('2026-01-01T09:59:59.999Z') })).toEqual({ kind: 'before_first' });
    expect(placeAsOf(marks, { kind: 'time', at: at('2026-01-01T10:00:00.000Z') })).toEqual({ kind: 'at', index: 0 });
    expect(placeAsOf(marks, { kind: 'time', at: at('2026-01-01T11:30:00.000Z') })).toEqual({ kind: 'at', index: 1 });
    expect(placeAsOf(marks, { kind: 'time', at: at('2027-01-01T00:00:00.000Z') })).toEqual({ kind: 'at', index: 2 });
    expect(placeAsOf([], { kind: 'time', at: at('2027-01-01T00:00:00.000Z') })).toEqual({ kind: 'before_first' });
  });

  it('by time, with clocks that disagreed: stops at the first later event, so the answer is a state the stream passed through', () => {
    const skewed: HistoryMark[] = [marks[0]!, { revision: 1n, occurredAt: at('2026-01-01T12:00:00.000Z') }, { revision: 2n, occurredAt: at('2026-01-01T11:00:00.000Z') }];
    expect(placeAsOf(skewed, { kind: 'time', at: at('2026-01-01T11:30:00.000Z') })).toEqual({ kind: 'at', index: 0 });
  });
});
