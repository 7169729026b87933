import { InvalidAppendError } from '../errors.js';
import type { JsonValue, NewEvent } from '../event-store.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * PostgreSQL refuses U+0000 and unpaired surrogates in JSON text; KurrentDB would
 * store them. The port promises one set of rules, so they are refused here too.
 * The PostgreSQL adapter checks the same rule on the JSON text it sends
 * (serialize-payloads.ts); this adapter never serialises, so it walks the values.
 */
export function validateJsonText(stream: string, events: readonly NewEvent[]): void {
  for (const event of events) {
    const problem = findBadText(event.data) ?? findBadText(event.metadata);
    if (problem) throw new InvalidAppendError(`stream ${stream}: event ${event.id} ${problem}`);
  }
}

function findBadText(root: JsonValue): string | undefined {
  // An explicit stack: a deeply nested document must not overflow the call stack.
  const pending: JsonValue[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      const problem = describeText(value);
      if (problem) return problem;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const problem = describeText(key);
        if (problem) return problem;
        pending.push(child);
      }
    }
  }
  return undefined;
}

function describeText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains the character U+0000, which JSON storage refuses';
  if (LONE_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate, which is not valid Unicode';
  return undefined;
}
