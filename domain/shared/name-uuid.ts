import { hash as digestOf } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * RFC 9562 name-based UUIDs (version 5, SHA-1) in one namespace, the same as
 * the `uuid` package's v5 gives: the namespace is parsed once, not on every
 * call, and the name is hashed as UTF-8 beside it in one reused buffer. The ingest
 * derives one per analytics event, where the package's checks and copies
 * were a tenth of its work.
 */
export function nameUuids(namespace: string): (name: string) => string {
  if (!UUID.test(namespace)) throw new TypeError(`not a UUID: ${JSON.stringify(namespace)}`);
  const prefix = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  // Namespace and name in one buffer, hashed in one call: a Hash object per id costs more than the SHA-1 of a short name.
  let input = Buffer.allocUnsafe(256);
  return (name) => {
    const length = 16 + Buffer.byteLength(name, 'utf8');
    if (length > input.length) input = Buffer.allocUnsafe(length * 2);
    prefix.copy(input, 0);
    input.write(name, 16, 'utf8');
    const hash = digestOf('sha1', input.subarray(0, length), 'buffer');
    const b6 = (hash[6]! & 0x0f) | 0x50;
    const b8 = (hash[8]! & 0x3f) | 0x80;
    return (
      HEX[hash[0]!]! + HEX[hash[1]!]! + HEX[hash[2]!]! + HEX[hash[3]!]! + '-' +
      HEX[hash[4]!]! + HEX[hash[5]!]! + '-' + HEX[b6]! + HEX[hash[7]!]! + '-' + HEX[b8]! + HEX[hash[9]!]! + '-' +
      HEX[hash[10]!]! + HEX[hash[11]!]! + HEX[hash[12]!]! + HEX[hash[13]!]! + HEX[hash[14]!]! + HEX[hash[15]!]!
    );
  };
}
