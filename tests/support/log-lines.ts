/** A log line as pino wrote it, with the keys that appear more than once in any one object of it. */
export interface LogLine {
  raw: string;
  record: Record<string, unknown>;
  duplicateKeys: string[];
}

/** Parses every non-empty line; throws, quoting it, on a line that is not a JSON object. */
export function parseLogLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((raw) => {
      let record: unknown;
      try {
        record = JSON.parse(raw);
      } catch {
        throw new Error(`not a JSON log line: ${raw.slice(0, 300)}`);
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new Error(`not a JSON object: ${raw.slice(0, 300)}`);
      return { raw, record: record as Record<string, unknown>, duplicateKeys: duplicateKeys(raw) };
    });
}

/**
 * JSON.parse keeps the last of two equal keys without a word, so duplicates are
 * found in the raw text: the keys of each object, at every depth.
 */
export function duplicateKeys(json: string): string[] {
  const duplicates: string[] = [];
  const objects: Array<Set<string> | undefined> = [];
  let i = 0;
  while (i < json.length) {
    const c = json[i]!;
    if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const text = json.slice(i, end + 1);
      let next = end + 1;
      while (/\s/.test(json[next] ?? '')) next++;
      const keys = objects.at(-1);
      if (json[next] === ':' && keys) {
        const key = JSON.parse(text) as string;
        if (keys.has(key)) duplicates.push(key);
        keys.add(key);
      }
      i = end + 1;
      continue;
    }
    if (c === '{') objects.push(new Set());
    else if (c === '[') objects.push(undefined);
    else if (c === '}' || c === ']') objects.pop();
    i++;
  }
  return duplicates;
}
