import { describe, expect, it } from '@jest/globals';
import { MAX_USER_AGENT_LENGTH, parseUserAgent, truncateIp } from '../../domain/analytics/enrichment.js';

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0';
const SAFARI_IPAD = 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1';
const CHROME_ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

describe('parseUserAgent', () => {
  it('names the browser, the operating system and the kind of device, without versions', () => {
    expect(parseUserAgent(CHROME_WINDOWS)).toEqual({ browser: 'Chrome', os: 'Windows', device: 'desktop' });
    expect(parseUserAgent(SAFARI_IPHONE)).toEqual({ browser: 'Safari', os: 'iOS', device: 'mobile' });
    expect(parseUserAgent(FIREFOX_LINUX)).toEqual({ browser: 'Firefox', os: 'Linux', device: 'desktop' });
    expect(parseUserAgent(SAFARI_IPAD)).toEqual({ browser: 'Safari', os: 'iOS', device: 'tablet' });
    expect(parseUserAgent(CHROME_ANDROID)).toEqual({ browser: 'Chrome', os: 'Android', device: 'mobile' });
    expect(parseUserAgent(GOOGLEBOT)).toMatchObject({ browser: 'Googlebot', device: 'bot' });
  });

  it('answers nulls for no user agent, a blank one or one it does not recognise, and never throws', () => {
    const unknown = { browser: null, os: null, device: null };
    expect(parseUserAgent(undefined)).toEqual(unknown);
    expect(parseUserAgent(null)).toEqual(unknown);
    expect(parseUserAgent('   ')).toEqual(unknown);
    expect(parseUserAgent('analytics-node-next/latest')).toEqual(unknown);
  });

  it('reads only the first MAX_USER_AGENT_LENGTH characters of a hostile, huge user agent', () => {
    const huge = CHROME_WINDOWS + ' '.repeat(MAX_USER_AGENT_LENGTH) + 'Firefox/125.0 '.repeat(100_000);
    expect(parseUserAgent(huge)).toEqual({ browser: 'Chrome', os: 'Windows', device: 'desktop' });
  });
});

describe('truncateIp', () => {
  it('keeps an IPv4 address to its /24', () => {
    expect(truncateIp('203.0.113.77', false)).toBe('203.0.113.0');
    expect(truncateIp(' 10.1.2.3 ', false)).toBe('10.1.2.0');
  });

  it('keeps an IPv6 address to its /48, written the RFC 5952 way', () => {
    expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348', false)).toBe('2001:db8:85a3::');
    expect(truncateIp('2001:0DB8:0000:0001::1', false)).toBe('2001:db8::');
    expect(truncateIp('2001::1', false)).toBe('2001::');
    expect(truncateIp('fe80::1%eth0', false)).toBe('fe80::');
    expect(truncateIp('::1', false)).toBe('::');
  });

  it('treats an IPv4-mapped IPv6 address (Node on a dual-stack socket) as the IPv4 it carries', () => {
    expect(truncateIp('::ffff:203.0.113.77', false)).toBe('203.0.113.0');
    expect(truncateIp('::ffff:cb00:714d', false)).toBe('203.0.113.0');
    expect(truncateIp('::ffff:203.0.113.77', true)).toBe('203.0.113.77');
  });

  it('keeps the whole address, normalised, when the operator asks (ANALYTICS_KEEP_FULL_IP)', () => {
    expect(truncateIp('203.0.113.77', true)).toBe('203.0.113.77');
    expect(truncateIp('2001:0DB8:0:0:8:800:200C:417A', true)).toBe('2001:db8::8:800:200c:417a');
    expect(truncateIp('2001:db8:0:1:1:1:1:1', true)).toBe('2001:db8:0:1:1:1:1:1');
  });

  it('answers null for anything that is not an address', () => {
    for (const text of [undefined, null, '', 'localhost', '203.0.113', '256.1.1.1', '2001:db8::g', '203.0.113.77/24', '1.2.3.4, 5.6.7.8']) {
      expect(truncateIp(text, false)).toBeNull();
      expect(truncateIp(text, true)).toBeNull();
    }
  });
});
