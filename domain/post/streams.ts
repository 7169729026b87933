import { streamName } from '../shared/events.js';

export const POST_CATEGORY = 'post';

export function postStream(postId: string): string {
  return streamName(POST_CATEGORY, postId);
}

/** The post id of a `post-<id>` stream, or undefined for any other stream. */
export function postIdOfStream(stream: string): string | undefined {
  const prefix = `${POST_CATEGORY}-`;
  return stream.startsWith(prefix) && stream.length > prefix.length ? stream.slice(prefix.length) : undefined;
}
