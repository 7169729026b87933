/** Stream names and event types: at most this many UTF-16 code units. */
export const MAX_NAME_LENGTH = 256;

/** What is wrong with a stream name or an event type, if anything. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'must be a string';
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return `must be 1 to ${MAX_NAME_LENGTH} characters long`;
  if (name.startsWith('$')) return 'must not start with $ (reserved for the store)';
  return textProblem(name);
}

/**
 * Text the store could not keep as given. PostgreSQL refuses U+0000 in text,
 * and turns an unpaired surrogate into U+FFFD on the way to UTF-8: two
 * distinct names would then become one stream.
 */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain U+0000';
  if (!text.isWellFormed()) return 'must not contain an unpaired UTF-16 surrogate';
  return undefined;
}

/** A value named in a message: short, and never anything that could be large. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return `a value of type ${typeof value}`;
}
