import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GeoIpDatabaseError, openGeoIp } from '../../infra/geoip/geoip.js';
import { writeMmdb } from '../support/mmdb-writer.js';

let dir: string;
let database: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chronicle-geoip-'));
  database = join(dir, 'countries.mmdb');
  await writeFile(
    database,
    writeMmdb([
      { network: '203.0.113.0/24', data: { country: { iso_code: 'DE', names: { en: 'Germany' } } } },
      { network: '198.51.100.0/25', data: { country: { iso_code: 'FR' } } },
      // An anycast network MaxMind places nowhere: the registered country is the best it knows.
      { network: '192.0.2.0/24', data: { registered_country: { iso_code: 'US' } } },
      { network: '2001:db8:85a3::/48', data: { country: { iso_code: 'JP' } } },
    ]),
  );
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('openGeoIp', () => {
  it("finds an address's country in the operator's .mmdb, IPv4 and IPv6", async () => {
    const geoIp = await openGeoIp(database);
    expect(geoIp.country('203.0.113.77')).toBe('DE');
    expect(geoIp.country('198.51.100.127')).toBe('FR');
    expect(geoIp.country('192.0.2.1')).toBe('US');
    expect(geoIp.country('2001:db8:85a3:8d3::1')).toBe('JP');
    expect(geoIp.country('::ffff:203.0.113.77')).toBe('DE');
  });

  it('answers null for an address it does not know or for no address at all', async () => {
    const geoIp = await openGeoIp(database);
    expect(geoIp.country('198.51.100.128')).toBeNull();
    expect(geoIp.country('2001:db8:85a4::1')).toBeNull();
    expect(geoIp.country('not an address')).toBeNull();
    expect(geoIp.country(null)).toBeNull();
  });

  it('answers null for every address without a database', async () => {
    for (const path of [undefined, '']) expect((await openGeoIp(path)).country('203.0.113.77')).toBeNull();
  });

  it('refuses a missing file or one that is not a MaxMind database, naming the variable', async () => {
    const notADatabase = join(dir, 'not.mmdb');
    await writeFile(notADatabase, 'hello');
    for (const path of [join(dir, 'missing.mmdb'), notADatabase]) {
      const error = await openGeoIp(path).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GeoIpDatabaseError);
      expect((error as Error).message).toMatch(/^ANALYTICS_GEOIP_DB: cannot open /);
    }
  });
});
