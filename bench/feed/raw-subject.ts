import { fileURLToPath } from 'node:url';
import { feedEventMessage, postCreated, type PostTemplate } from './bench-posts.js';
import { ChildProcessHandle } from './child-rpc.js';
import { SUBSCRIBE_EVERYTHING, SUBSCRIPTION_ID, type FeedSubject } from './feed-subject.js';
import type { RawBroadcastApi } from './raw-api.js';

const RAW_SCRIPT = fileURLToPath(new URL('./raw-broadcast-process.ts', import.meta.url));
export const RAW_SUBJECT = 'raw ws broadcast';

/** The raw `ws` reference, broadcasting the `event` messages the feed would send for the same posts. */
export async function startRawSubject(template: PostTemplate): Promise<FeedSubject> {
  const server = new ChildProcessHandle<RawBroadcastApi>(RAW_SCRIPT);
  const { url } = await server.call('listen', null);
  let position = 0n;
  const messages = (seqs: readonly number[]): string[] =>
    seqs.map((seq) => {
      const { stream, event } = postCreated(seq, template);
      return feedEventMessage(SUBSCRIPTION_ID, ++position, stream, event);
    });
  return {
    name: RAW_SUBJECT,
    feedUrl: url,
    pid: server.pid,
    tokens: [null],
    subscribe: SUBSCRIBE_EVERYTHING,
    async steady(seqs, intervalMs) {
      return server.call('steady', { messages: messages(seqs), intervalMs });
    },
    async burst(seqs) {
      return (await server.call('broadcast', { messages: messages(seqs) })).startedAt;
    },
    stop: () => server.kill(),
  };
}
