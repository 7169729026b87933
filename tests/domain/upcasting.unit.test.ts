import { describe, expect, it } from '@jest/globals';
import { InvalidUpcasterError, Upcasters, type Upcaster } from '../../domain/shared/upcasting.js';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import { upcastEvent, upcastEvents } from '../../infra/event-store/upcast-event.js';

// PostCreated's shape over time: v1 {title, body}; v2 adds format; v3 renames body to text.
const v1ToV2: Upcaster = { type: 'PostCreated', fromVersion: 1, upcast: (data) => ({ ...data, format: 'plain' }) };
const v2ToV3: Upcaster = {
  type: 'PostCreated',
  fromVersion: 2,
  upcast: ({ body, ...rest }) => ({ ...rest, text: body }),
};

function recorded(type: string, data: RecordedEvent['data'], schemaVersion?: number): RecordedEvent {
  return {
    id: '0190a5f0-0000-7000-8000-000000000001',
    stream: 'post-1',
    revision: 0n,
    position: 1n,
    type,
    data,
    metadata: schemaVersion === undefined ? { correlationId: 'c' } : { correlationId: 'c', schemaVersion },
    recordedAt: new Date(0),
  };
}

describe('upcasters', () => {
  const upcasters = new Upcasters([v2ToV3, v1ToV2]);

  it('bring every stored version to the current one, step by step, whatever order they were registered in', () => {
    expect(upcasters.currentVersion('PostCreated')).toBe(3);
    expect(upcasters.upcast('PostCreated', 1, { title: 'T', body: 'B' })).toEqual({ version: 3, data: { title: 'T', format: 'plain', text: 'B' } });
    expect(upcasters.upcast('PostCreated', 2, { title: 'T', body: 'B', format: 'markdown' })).toEqual({ version: 3, data: { title: 'T', format: 'markdown', text: 'B' } });
  });

  it('leave the current version, a newer one and other types alone', () => {
    expect(upcasters.upcast('PostCreated', 3, { text: 'B' })).toEqual({ version: 3, data: { text: 'B' } });
    expect(upcasters.upcast('PostCreated', 4, { x: 1 })).toEqual({ version: 4, data: { x: 1 } });
    expect(upcasters.currentVersion('PostDeleted')).toBe(1);
    expect(upcasters.handles('PostDeleted')).toBe(false);
  });

  it('refuse a list with two steps from one version, a gap, or a version below 1', () => {
    expect(() => new Upcasters([v1ToV2, { ...v1ToV2 }])).toThrow(InvalidUpcasterError);
    expect(() => new Upcasters([v2ToV3])).toThrow(/no upcaster from version 1/);
    expect(() => new Upcasters([{ ...v1ToV2, fromVersion: 0 }])).toThrow(InvalidUpcasterError);
  });

  it('give a recorded event its current shape and version, reading a missing version as 1', () => {
    const event = upcastEvent(recorded('PostCreated', { title: 'T', body: 'B' }), upcasters);
    expect(event.data).toEqual({ title: 'T', format: 'plain', text: 'B' });
    expect(event.metadata).toEqual({ correlationId: 'c', schemaVersion: 3 });
    expect(event.position).toBe(1n);
    expect(upcastEvent(recorded('PostCreated', { title: 'T', body: 'B', format: 'markdown' }, 2), upcasters).data).toEqual({ title: 'T', format: 'markdown', text: 'B' });
  });

  it('hand back the very same events when there is nothing to do', () => {
    const current = recorded('PostCreated', { text: 'B' }, 3);
    const other = recorded('PostDeleted', {});
    expect(upcastEvent(current, upcasters)).toBe(current);
    expect(upcastEvent(other, upcasters)).toBe(other);
    const batch = [current, other];
    expect(upcastEvents(batch, new Upcasters())).toBe(batch);
  });
});
