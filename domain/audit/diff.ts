/**
 * One field that differs between two states of an aggregate. `path` is an
 * RFC 6901 JSON Pointer (`/title`, `/members/<userId>`), unambiguous whatever
 * the keys hold. `before` is absent when the field did not exist before, and
 * `after` when it no longer exists (a deleted post has no title).
 */
export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

/**
 * What changed from one state to the next, field by field: plain objects
 * are compared key by key, everything else (text, numbers, arrays) as one
 * value. An array is one value because its order is its meaning: taking the
 * first of a collection's posts out would otherwise report every later place
 * as changed. Keys come in the order of `before`, then those only in `after`.
 * Pure, for any aggregate's states (they are plain JSON-like data).
 */
export function diffStates(before: unknown, after: unknown): FieldChange[] {
  const changes: FieldChange[] = [];
  collect(before, after, '', changes);
  return changes;
}

function collect(before: unknown, after: unknown, path: string, changes: FieldChange[]): void {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((key) => !Object.hasOwn(before, key))];
    for (const key of keys) {
      const child = `${path}/${escapePointerToken(key)}`;
      const had = Object.hasOwn(before, key) && before[key] !== undefined;
      const has = Object.hasOwn(after, key) && after[key] !== undefined;
      if (had && has) collect(before[key], after[key], child, changes);
      else if (had) changes.push({ path: child, before: before[key] });
      else if (has) changes.push({ path: child, after: after[key] });
    }
    return;
  }
  if (!sameValue(before, after)) changes.push({ path, before, after });
}

/** RFC 6901: `~` and `/` inside a key are written `~0` and `~1`. */
export function escapePointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Deep equality of JSON-like values: objects by their keys, whatever their order. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a).filter((key) => a[key] !== undefined);
    const otherKeys = Object.keys(b).filter((key) => b[key] !== undefined);
    return keys.length === otherKeys.length && keys.every((key) => Object.hasOwn(b, key) && sameValue(a[key], b[key]));
  }
  return false;
}
