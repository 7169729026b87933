import { describe, it } from '@jest/globals';
import { postUpcasters } from '../../domain/post/index.js';
import { Upcasters } from '../../domain/shared/upcasting.js';
import { postsReadModel } from '../../projections/posts/posts-read-model.js';
import { projectionSpec } from '../support/projection-spec.js';

const created = (postId: string, fields: Record<string, string> = {}) => ({
  stream: `post-${postId}`,
  type: 'PostCreated',
  data: { postId, tenantId: 't-1', authorId: 'u-1', title: 'Title', body: 'Body', format: 'markdown', visibility: 'private', ...fields },
  metadata: { occurredAt: '2026-01-01T00:00:00.000Z', schemaVersion: 2 },
});
const at = (occurredAt: string) => ({ occurredAt });

describe('the posts read model', () => {
  it('keeps one row per post, with its last revision, and drops deleted posts; a replay writes the same rows', async () => {
    await projectionSpec(postsReadModel(), { engine: { settings: { batchEvents: 2 } } })
      .given([
        created('p-1'),
        { stream: 'post-p-1', type: 'PostUpdated', data: { postId: 'p-1', title: 'New', body: 'Text', format: 'plain' }, metadata: at('2026-01-02T00:00:00.000Z') },
        created('p-2', { visibility: 'public' }),
        { stream: 'post-p-1', type: 'PostVisibilityChanged', data: { postId: 'p-1', visibility: 'public' }, metadata: at('2026-01-03T00:00:00.000Z') },
        created('p-3'),
        { stream: 'post-p-3', type: 'PostDeleted', data: { postId: 'p-3' } },
      ])
      .then(
        {
          posts: [
            {
              id: 'p-1', tenant_id: 't-1', author_id: 'u-1', title: 'New', body: 'Text', format: 'plain', visibility: 'public', revision: '2',
              created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-03T00:00:00.000Z',
            },
            {
              id: 'p-2', tenant_id: 't-1', author_id: 'u-1', title: 'Title', body: 'Body', format: 'markdown', visibility: 'public', revision: '0',
              created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z',
            },
          ],
        },
        { replay: true },
      );
  });

  it('reads PostCreated of schema version 1 as a plain, private post', async () => {
    await projectionSpec(postsReadModel(), { engine: { upcasters: new Upcasters([...postUpcasters]) } })
      .given([
        {
          stream: 'post-old',
          type: 'PostCreated',
          data: { postId: 'old', tenantId: 't-1', authorId: 'u-1', title: 'Old', body: 'Written by version 1' },
          metadata: { schemaVersion: 1 },
        },
      ])
      .then({ posts: [{ id: 'old', title: 'Old', format: 'plain', visibility: 'private' }] }, { replay: true });
  });
});
