const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text (as JSON.stringify writes it) nests objects and arrays
 * more than `limit` levels deep. Each level takes an opening bracket, so most
 * texts are answered by counting those (indexOf is far faster than a loop
 * over every character); only the others are walked, skipping strings whole.
 */
export function jsonDeeperThan(json: string, limit: number): boolean {
  if (json.length <= 2 * limit || openingBrackets(json, limit + 1) <= limit) return false;
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

/** How many `{` and `[` the text holds, in strings too; counting stops at `enough`. */
function openingBrackets(json: string, enough: number): number {
  let count = 0;
  for (const bracket of ['{', '[']) {
    for (let at = json.indexOf(bracket); at !== -1 && count < enough; at = json.indexOf(bracket, at + 1)) count++;
  }
  return count;
}
