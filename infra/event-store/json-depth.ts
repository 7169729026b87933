const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text (as JSON.stringify writes it) nests objects and arrays
 * more than `limit` levels deep. Each level takes two characters at least,
 * so short texts are answered without a look; strings are skipped whole.
 */
export function jsonDeeperThan(json: string, limit: number): boolean {
  if (json.length <= 2 * limit) return false;
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code === QUOTE) {
      i = closingQuote(json, i);
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** The index of the quote that ends the string opened at `open`: the first one after it not escaped by an odd run of backslashes. */
function closingQuote(json: string, open: number): number {
  let quote = json.indexOf('"', open + 1);
  while (quote > 0) {
    let backslashes = 0;
    while (json.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = json.indexOf('"', quote + 1);
  }
  return json.length;
}
