/**
 * Moves `postId` to `index` (clamped to the list), the others keeping their
 * order; the list unchanged when the post is not in it. The decider's state
 * and the read model both order posts with it, so they cannot disagree.
 */
export function movePost(postIds: readonly string[], postId: string, index: number): string[] {
  if (!postIds.includes(postId)) return [...postIds];
  const rest = postIds.filter((id) => id !== postId);
  const at = Math.min(Math.max(index, 0), rest.length);
  return [...rest.slice(0, at), postId, ...rest.slice(at)];
}
