import { isIP } from 'node:net';

/** Every request whose address is unknown counts against this one bucket: never against none. */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * The key a per-IP limit counts a client's address under. An IPv6 client
 * usually holds a whole /64 (one prefix per home or server), so its /64
 * counts as one client: per /128 anyone could take a fresh address per
 * attempt. IPv4 inside IPv6 (`::ffff:192.0.2.1`, how a dual-stack socket
 * reports an IPv4 peer) counts as the IPv4 address. No address (a closed
 * socket, a proxy that sent none) shares UNKNOWN_CLIENT.
 */
export function clientBucket(ip: string | null | undefined): string {
  if (!ip) return UNKNOWN_CLIENT;
  const address = ip.trim();
  const version = isIP(address);
  if (version === 4) return address;
  if (version !== 6) return UNKNOWN_CLIENT;
  const groups = expandIpv6(address);
  const mapped = ipv4Mapped(groups);
  if (mapped) return mapped;
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (zone id dropped, embedded IPv4 converted). */
function expandIpv6(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const embedded = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (embedded) {
    const [a, b, c, d] = embedded.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, embedded.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function ipv4Mapped(groups: readonly number[]): string | undefined {
  const prefix = groups.slice(0, 6);
  if (!prefix.slice(0, 5).every((group) => group === 0) || prefix[5] !== 0xffff) return undefined;
  const [high = 0, low = 0] = groups.slice(6);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}
