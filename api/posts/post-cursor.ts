import type { PostKey } from '../../projections/posts/post-queries.js';

/** Opaque to clients: where the previous page ended, base64url-encoded. */
export function encodePostCursor(key: PostKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id]), 'utf8').toString('base64url');
}

/** The key inside a cursor, or undefined when it is not one of ours. */
export function decodePostCursor(cursor: string): PostKey | undefined {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(decoded) || decoded.length !== 2) return undefined;
    const [createdAt, id] = decoded as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(createdAt)) || id.length > 100) return undefined;
    const key = { createdAt, id };
    return encodePostCursor(key) === cursor ? key : undefined;
  } catch {
    return undefined;
  }
}
