import maxmind, { type CountryResponse, type Reader } from 'maxmind';
import { normalizeIp } from '../../domain/analytics/enrichment.js';

/** Where in the world an address is, as far as the operator's database knows. */
export interface GeoIp {
  /** ISO 3166-1 alpha-2 (`DE`), or null: no database, an address it does not know, or not an address. */
  country(ip: string | null | undefined): string | null;
}

/** ANALYTICS_GEOIP_DB names a file that is missing or is not a MaxMind database: a start-up error, never a silent "no country". */
export class GeoIpDatabaseError extends Error {
  override readonly name = 'GeoIpDatabaseError';
  constructor(
    readonly path: string,
    options: { cause: unknown },
  ) {
    super(`ANALYTICS_GEOIP_DB: cannot open ${path} as a MaxMind database (.mmdb): ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`, options);
  }
}

const NO_GEOIP: GeoIp = { country: () => null };

/**
 * The operator's GeoIP database (ANALYTICS_GEOIP_DB: a GeoLite2/GeoIP2
 * Country or City .mmdb, or any MaxMind DB with a `country.iso_code`), read
 * with `maxmind` (MIT). Without a path every lookup is null. Opened once,
 * held in memory, looked up synchronously; the file is not watched, so a new
 * edition needs a restart.
 */
export async function openGeoIp(path: string | undefined): Promise<GeoIp> {
  if (path === undefined || path === '') return NO_GEOIP;
  let reader: Reader<CountryResponse>;
  try {
    reader = await maxmind.open<CountryResponse>(path, { watchForUpdates: false });
  } catch (cause) {
    throw new GeoIpDatabaseError(path, { cause });
  }
  return {
    country(ip) {
      // Mapped IPv4 (`::ffff:203.0.113.7`, Node's dual-stack form) is looked up as IPv4, whether or not the database aliases it.
      const address = normalizeIp(ip);
      if (address === null) return null;
      // A database of IPv4 only cannot answer an IPv6 question (the reader throws); that is "unknown", not an error.
      try {
        const found = reader.get(address);
        return found?.country?.iso_code ?? found?.registered_country?.iso_code ?? null;
      } catch {
        return null;
      }
    },
  };
}
