import type { EventStore } from '../../infra/event-store/event-store.js';
import { POST_BODY, postCreated, postTitle, type PostTemplate } from './bench-posts.js';
import { clockMs } from './marks.js';
import { send } from './tenant-admins.js';

/** Posts in flight at most, should the server answer slower than the writer's pace. */
const MAX_IN_FLIGHT = 16;
const BURST_CONCURRENCY = 16;

interface PostAnswer {
  id: string;
  position: string | null;
}

export interface SteadyWrites {
  /** By index of `seqs`: when the POST was sent, and when its 201 arrived (the append committed and acknowledged). */
  sentAt: Float64Array;
  ackedAt: Float64Array;
  /** Writes that had to wait for a free slot (the server could not keep the pace). */
  delayed: number;
}

/**
 * The steady writer: post i is sent at start + i × intervalMs through
 * `POST /api/posts` as `token`'s user (open loop: it does not wait for the
 * previous answer), each titled with its seq's mark.
 */
export async function writeSteadily(baseUrl: string, token: string, seqs: readonly number[], intervalMs: number): Promise<SteadyWrites> {
  const sentAt = new Float64Array(seqs.length);
  const ackedAt = new Float64Array(seqs.length);
  const inFlight = new Set<Promise<void>>();
  let delayed = 0;
  const start = clockMs();
  for (const [index, seq] of seqs.entries()) {
    const wait = start + index * intervalMs - clockMs();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight.size >= MAX_IN_FLIGHT) {
      delayed++;
      await Promise.race(inFlight);
    }
    sentAt[index] = clockMs();
    const write = createPost(baseUrl, token, seq).then(() => {
      ackedAt[index] = clockMs();
      inFlight.delete(write);
    });
    inFlight.add(write);
  }
  await Promise.all(inFlight);
  return { sentAt, ackedAt, delayed };
}

export function createPost(baseUrl: string, token: string, seq: number): Promise<PostAnswer> {
  return send<PostAnswer>(baseUrl, 'POST', '/api/posts', 201, { title: postTitle(seq), body: POST_BODY, format: 'plain', visibility: 'private' }, token);
}

/** The tenant, author and envelope of a post the API wrote: the burst's events copy them. */
export async function templateOf(store: EventStore, postId: string): Promise<PostTemplate> {
  const [created] = await store.readStream(`post-${postId}`, { maxCount: 1 });
  if (!created || created.type !== 'PostCreated') throw new Error(`post ${postId} has no PostCreated event`);
  const { tenantId, authorId } = created.data;
  if (typeof tenantId !== 'string' || typeof authorId !== 'string') throw new Error('PostCreated without tenantId or authorId');
  return { tenantId, authorId, metadata: created.metadata };
}

/**
 * A burst for the fan-out: one post's creation per seq, appended straight to
 * the event store (16 appends in flight) as fast as it takes them, which is
 * far faster than the feed can fan them out to a thousand sockets, so the
 * feed is the bottleneck. Returns when the last append committed.
 */
export async function appendBurst(store: EventStore, seqs: readonly number[], template: PostTemplate): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: BURST_CONCURRENCY }, async () => {
      while (next < seqs.length) {
        const { stream, event } = postCreated(seqs[next++]!, template);
        await store.appendToStream(stream, [event], { expectedRevision: 'no_stream' });
      }
    }),
  );
}
