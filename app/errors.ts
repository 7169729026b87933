/** A start-up failure whose message alone tells the operator what to fix. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** The most telling message in an error; node's connection errors hide theirs in an AggregateError. */
export function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  if (error instanceof Error) return error.message || ('code' in error ? String(error.code) : error.name);
  return String(error);
}

/** An error as one line for stderr: no stack, no newlines, no password in a URL. */
export function oneLine(error: unknown): string {
  return reason(error)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/(\w+:\/\/[^:/@\s]+):[^@\s]+@/g, '$1:***@')
    .trim();
}
