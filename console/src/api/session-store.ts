import type { AuthAnswer } from './types.js';

const KEY = 'chronicle.console.session';

/**
 * The signed-in session, kept per tab (sessionStorage): a reload keeps it,
 * and two tabs never share one refresh token, whose reuse would end the
 * whole session family (refresh rotation).
 */
export const sessionStore = {
  load(): AuthAnswer | undefined {
    const text = sessionStorage.getItem(KEY);
    if (!text) return undefined;
    try {
      return JSON.parse(text) as AuthAnswer;
    } catch {
      sessionStorage.removeItem(KEY);
      return undefined;
    }
  },
  save(session: AuthAnswer): void {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};
