import Bowser from 'bowser';
import { isIP } from 'node:net';

/** What a user agent says about where an event came from; null where it says nothing we recognise. */
export interface ParsedUserAgent {
  /** e.g. `Chrome`, `Safari`, `Firefox`. */
  browser: string | null;
  /** e.g. `Windows`, `macOS`, `iOS`, `Android`, `Linux`. */
  os: string | null;
  /** `desktop`, `mobile`, `tablet`, `tv` or `bot`. */
  device: string | null;
}

/**
 * User agents are sent by clients, so a hostile one may be megabytes long:
 * the parser's regular expressions only ever see this much (real ones are a
 * few hundred characters).
 */
export const MAX_USER_AGENT_LENGTH = 512;

const UNKNOWN: ParsedUserAgent = { browser: null, os: null, device: null };

/**
 * Browser, operating system and kind of device, by `bowser` (MIT). Names
 * only, without versions: they are dimensions to group by, and a version
 * would split one browser into hundreds of rows.
 */
export function parseUserAgent(userAgent: string | null | undefined): ParsedUserAgent {
  const text = userAgent?.slice(0, MAX_USER_AGENT_LENGTH).trim();
  if (!text) return UNKNOWN;
  const parsed = Bowser.parse(text);
  return { browser: named(parsed.browser.name), os: named(parsed.os.name), device: named(parsed.platform.type) };
}

function named(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

/**
 * The client's address as analytics may keep it: IPv4 cut to its /24
 * (`203.0.113.77` → `203.0.113.0`), IPv6 to its /48 (`2001:db8:85a3:8d3::1`
 * → `2001:db8:85a3::`), enough for a country or a network, not a household.
 * `keepFull` (ANALYTICS_KEEP_FULL_IP) keeps it whole, normalised. An
 * IPv4-mapped IPv6 address (`::ffff:203.0.113.77`, as Node reports IPv4
 * clients on a dual-stack socket) counts as the IPv4 it carries. Null for
 * anything that is not an address.
 */
export function truncateIp(ip: string | null | undefined, keepFull: boolean): string | null {
  const address = ip?.trim().replace(/%.*$/, '');
  if (!address) return null;
  const version = isIP(address);
  if (version === 4) return keepFull ? address : truncateIpv4(address);
  if (version !== 6) return null;
  const groups = ipv6Groups(address);
  const mapped = mappedIpv4(groups);
  if (mapped !== undefined) return keepFull ? mapped : truncateIpv4(mapped);
  return formatIpv6(keepFull ? groups : [...groups.slice(0, 3), 0, 0, 0, 0, 0]);
}

/** The address written one way (an IPv4-mapped IPv6 one as its IPv4), or null: for lookups keyed by address. */
export function normalizeIp(ip: string | null | undefined): string | null {
  return truncateIp(ip, true);
}

function truncateIpv4(address: string): string {
  return `${address.split('.').slice(0, 3).join('.')}.0`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail turned into two groups). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function mappedIpv4(groups: readonly number[]): string | undefined {
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (!mapped) return undefined;
  const [high, low] = [groups[6]!, groups[7]!];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups (the first of equals) as `::`. */
function formatIpv6(groups: readonly number[]): string {
  let best = { start: -1, length: 0 };
  for (let start = 0; start < groups.length; ) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < groups.length && groups[end] === 0) end++;
    if (end - start > best.length) best = { start, length: end - start };
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}
