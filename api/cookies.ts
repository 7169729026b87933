import type { Request } from 'express';

/**
 * One cookie's value from the Cookie header, or null. Enough for the few
 * cookies this API sets itself; values it did not set are the caller's to
 * validate.
 */
export function readCookie(req: Request, name: string): string | null {
  for (const pair of (req.get('cookie') ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return null;
}
