import { isIP } from 'node:net';

/**
 * A MaxMind DB (.mmdb, format 2.0) writer just big enough for tests: no
 * package on npm writes one (MaxMind's writers are Go and Perl), so the GeoIP
 * test builds its own database from a few networks. An IPv6 tree (IPv4
 * networks sit at ::/96, where readers look for them), 24-bit records, maps,
 * strings and unsigned integers. Networks must not overlap.
 */
export type MmdbValue = string | number | bigint | MmdbValue[] | { [key: string]: MmdbValue };

interface TreeNode {
  children: [TreeNode | Leaf | null, TreeNode | Leaf | null];
}
interface Leaf {
  data: number;
}

export function writeMmdb(networks: readonly { network: string; data: MmdbValue }[], databaseType = 'Test-Country'): Buffer {
  const root: TreeNode = { children: [null, null] };
  const data = new DataSection();
  for (const { network, data: value } of networks) insert(root, networkBits(network), { data: data.add(value) });

  const nodes: TreeNode[] = [];
  const number = new Map<TreeNode, number>();
  const queue = [root];
  while (queue.length > 0) {
    const node = queue.shift()!;
    number.set(node, nodes.length);
    nodes.push(node);
    for (const child of node.children) if (child && 'children' in child) queue.push(child);
  }
  const nodeCount = nodes.length;
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach((node, index) => {
    node.children.forEach((child, side) => {
      const record = child === null ? nodeCount : 'children' in child ? number.get(child)! : nodeCount + 16 + child.data;
      tree.writeUIntBE(record, index * 6 + side * 3, 3);
    });
  });
  const metadata = encode({
    node_count: uint32(nodeCount),
    record_size: uint16(24),
    ip_version: uint16(6),
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: uint16(2),
    binary_format_minor_version: uint16(0),
    build_epoch: BigInt(1_700_000_000),
    description: { en: 'Chronicle test database' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), data.bytes(), Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), metadata]);
}

function insert(root: TreeNode, bits: number[], leaf: Leaf): void {
  let node = root;
  bits.forEach((bit, depth) => {
    if (depth === bits.length - 1) {
      node.children[bit as 0 | 1] = leaf;
      return;
    }
    const next = node.children[bit as 0 | 1];
    if (next && !('children' in next)) throw new Error('overlapping networks are not supported');
    node = next ?? (node.children[bit as 0 | 1] = { children: [null, null] });
  });
}

/** `203.0.113.0/24` → its first 96 + 24 bits in the IPv6 tree; `2001:db8::/32` → its first 32. */
function networkBits(network: string): number[] {
  const [address, prefixText] = network.split('/') as [string, string];
  const prefix = Number(prefixText);
  const version = isIP(address);
  if (version === 4) {
    const bits = address.split('.').flatMap((octet) => byteBits(Number(octet)));
    return [...new Array<number>(96).fill(0), ...bits.slice(0, prefix)];
  }
  if (version !== 6) throw new Error(`not a network: ${network}`);
  const [head, tail] = address.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((group) => [...byteBits(group >> 8), ...byteBits(group & 0xff)]).slice(0, prefix);
}

function byteBits(byte: number): number[] {
  return Array.from({ length: 8 }, (_, index) => (byte >> (7 - index)) & 1);
}

class DataSection {
  private readonly parts: Buffer[] = [];
  private length = 0;

  add(value: MmdbValue): number {
    const offset = this.length;
    const encoded = encode(value);
    this.parts.push(encoded);
    this.length += encoded.length;
    return offset;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Integers the format types by width; a plain number is written as uint32. */
const UINT16 = Symbol('uint16');
type Sized = { [UINT16]: true; value: number };
const uint16 = (value: number): MmdbValue => ({ [UINT16]: true, value }) as unknown as MmdbValue;
const uint32 = (value: number): MmdbValue => value;

function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') return withControl(2, Buffer.from(value, 'utf8'));
  if (typeof value === 'number') return withControl(6, unsigned(BigInt(value)));
  if (typeof value === 'bigint') return withControl(9, unsigned(value));
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  if ((value as unknown as Sized)[UINT16]) return withControl(5, unsigned(BigInt((value as unknown as Sized).value)));
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([key, entry]) => [encode(key), encode(entry)])]);
}

function withControl(type: number, payload: Buffer): Buffer {
  return Buffer.concat([control(type, payload.length), payload]);
}

/** The control byte (type in the top 3 bits, or 0 and an extended type byte), then the size's extra bytes. */
function control(type: number, size: number): Buffer {
  const typeBits = type <= 7 ? type << 5 : 0;
  const extended = type <= 7 ? [] : [type - 7];
  if (size < 29) return Buffer.from([typeBits | size, ...extended]);
  if (size < 285) return Buffer.from([typeBits | 29, ...extended, size - 29]);
  if (size < 65_821) return Buffer.from([typeBits | 30, ...extended, (size - 285) >> 8, (size - 285) & 0xff]);
  throw new Error('values this large are not supported');
}

function unsigned(value: bigint): Buffer {
  const bytes: number[] = [];
  for (let rest = value; rest > 0n; rest >>= 8n) bytes.unshift(Number(rest & 0xffn));
  return Buffer.from(bytes);
}
