/** A field's value in a diff: text as is, anything else as JSON; absent as a dash. */
export function valueText(value: unknown): string {
  if (value === undefined) return '–';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
