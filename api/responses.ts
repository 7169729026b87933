import type { Response } from 'express';

/** Answers that carry tokens must not be kept by a browser or a proxy cache (RFC 6749 section 5.1). */
export const NO_STORE = { 'Cache-Control': 'no-store' } as const;

/** For a handler that writes its answer itself (a redirect, a page). */
export function noStore(res: Response): Response {
  return res.set(NO_STORE);
}
