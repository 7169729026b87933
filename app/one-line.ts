import { reason } from './database.js';

/** An error as one line for stderr: no stack, no newlines, no password in a URL. */
export function oneLine(error: unknown): string {
  return reason(error)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/(\w+:\/\/[^:/@\s]+):[^@\s]+@/g, '$1:***@')
    .trim();
}
