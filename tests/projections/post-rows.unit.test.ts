import { describe, expect, it } from '@jest/globals';
import type { PostEvent } from '../../domain/post/index.js';
import type { RecordedDomainEvent } from '../../domain/shared/events.js';
import { evolvePostRow, type PostRow } from '../../projections/posts/post-row.js';

let revision = 0n;
function recorded(event: PostEvent, occurredAt: string): RecordedDomainEvent<PostEvent> {
  return {
    ...event,
    streamId: 'post-p-1',
    revision: revision++,
    metadata: {
      eventId: '0190b5a8-0000-7000-8000-000000000000',
      correlationId: 'c',
      causationId: 'c',
      actor: { type: 'user', id: 'u-1' },
      tenantId: 't-1',
      requestId: null,
      occurredAt,
      schemaVersion: 1,
    },
  };
}

function fold(events: Array<[PostEvent, string]>): PostRow | null {
  revision = 0n;
  return events.reduce<PostRow | null>((row, [event, at]) => evolvePostRow(row, recorded(event, at)), null);
}

const created: PostEvent = {
  type: 'PostCreated',
  data: { postId: 'p-1', tenantId: 't-1', authorId: 'u-1', title: 'T', body: 'B', format: 'markdown', visibility: 'private' },
};

describe('posts read model rows', () => {
  it('keeps one row per post with its revision and times', () => {
    expect(
      fold([
        [created, '2026-01-01T00:00:00.000Z'],
        [{ type: 'PostUpdated', data: { postId: 'p-1', title: 'T2', body: 'B2', format: 'plain' } }, '2026-01-02T00:00:00.000Z'],
        [{ type: 'PostVisibilityChanged', data: { postId: 'p-1', visibility: 'public' } }, '2026-01-03T00:00:00.000Z'],
      ]),
    ).toEqual({
      id: 'p-1',
      tenant_id: 't-1',
      author_id: 'u-1',
      title: 'T2',
      body: 'B2',
      format: 'plain',
      visibility: 'public',
      revision: '2',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-03T00:00:00.000Z',
    });
  });

  it('deletes the row with the post', () => {
    expect(fold([[created, '2026-01-01T00:00:00.000Z'], [{ type: 'PostDeleted', data: { postId: 'p-1' } }, '2026-01-02T00:00:00.000Z']])).toBeNull();
  });
});
