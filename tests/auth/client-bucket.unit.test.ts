import { describe, expect, it } from '@jest/globals';
import { clientBucket, UNKNOWN_CLIENT } from '../../auth/rate-limit/client-bucket.js';

describe('the bucket a per-IP limit counts a client under', () => {
  it('is the address itself for IPv4', () => {
    expect(clientBucket('198.51.100.7')).toBe('198.51.100.7');
  });

  it('is the /64 for IPv6, however the address is written', () => {
    const bucket = clientBucket('2001:db8:1:2::1');
    expect(bucket).toBe('2001:db8:1:2::/64');
    for (const address of ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002:0:0:0:9', '2001:DB8:1:2::a%eth0', '2001:db8:1:2::192.0.2.1']) {
      expect(clientBucket(address)).toBe(bucket);
    }
    expect(clientBucket('2001:db8:1:3::1')).not.toBe(bucket);
    expect(clientBucket('::1')).toBe('0:0:0:0::/64');
  });

  it('is the IPv4 address for an IPv4-mapped IPv6 address', () => {
    expect(clientBucket('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(clientBucket('::ffff:c633:6407')).toBe('198.51.100.7');
  });

  it('is one shared bucket for a missing or unreadable address, never none', () => {
    for (const missing of [null, undefined, '', 'unknown', 'garbage', '300.1.1.1', '2001:db8::1::2']) expect(clientBucket(missing)).toBe(UNKNOWN_CLIENT);
  });
});
