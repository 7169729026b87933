import { safeUrl } from '../../logging/logger.js';

/** What the adapter itself needs to know about a connection string, beside the client. */
export interface KurrentDbTarget {
  /** The string handed to the client: scheme `kurrentdb`, only options the client knows. */
  clientConnectionString: string;
  /** The string as configured, with the password hidden: safe for logs and errors. */
  display: string;
  hosts: { host: string; port: number }[];
  tls: boolean;
  tlsVerifyCert: boolean;
  tlsCAFile: string | undefined;
  /** The client's `defaultDeadline` (its default is 10 s); our bound on one call too. */
  defaultDeadlineMs: number;
  /** Options dropped because the client does not know them (it would print the whole string, password included). */
  ignoredOptions: string[];
  /** Every form the password may take inside a message, to scrub it. */
  secrets: string[];
}

const CLIENT_DEFAULT_DEADLINE_MS = 10_000;
const DEFAULT_PORT = 2113;

/** The client's option names, compared as it does: case-insensitive, without `-` and `_`. */
const KNOWN_OPTIONS = new Set(
  [
    'userCertFile',
    'userKeyFile',
    'maxDiscoverAttempts',
    'connectionName',
    'defaultDeadline',
    'discoveryInterval',
    'gossipTimeout',
    'nodePreference',
    'tls',
    'tlsVerifyCert',
    'tlsCAFile',
    'keepAliveInterval',
    'keepAliveTimeout',
  ].map(flat),
);

// `esdb` still parses in the client but prints a deprecation warning on every connect.
const SCHEMES: Record<string, string> = {
  esdb: 'kurrentdb',
  'esdb+discover': 'kurrentdb+discover',
  kurrentdb: 'kurrentdb',
  'kurrentdb+discover': 'kurrentdb+discover',
  kurrent: 'kurrent',
  'kurrent+discover': 'kurrent+discover',
  kdb: 'kdb',
  'kdb+discover': 'kdb+discover',
};

const SHAPE = /^(?<scheme>[a-z+]+):\/\/(?:(?<user>[^:@/?]+):(?<password>[^@]+)@)?(?<hosts>[^/?]+)\/?(?:\?(?<query>.*))?$/i;

export class InvalidConnectionStringError extends Error {
  override readonly name = 'InvalidConnectionStringError';
}

export function parseTarget(connectionString: string): KurrentDbTarget {
  const trimmed = connectionString.trim();
  const match = SHAPE.exec(trimmed);
  const groups = match?.groups;
  const scheme = groups?.['scheme']?.toLowerCase();
  const clientScheme = scheme === undefined ? undefined : SCHEMES[scheme];
  if (!groups || !clientScheme || !groups['hosts']) {
    throw new InvalidConnectionStringError(
      `EventStoreDB connection string ${displayOf(trimmed, undefined)} is not kurrentdb://[user:password@]host[:port][,host...][?option=value] (esdb:// and +discover accepted)`,
    );
  }
  const password = groups['password'];
  const hosts = groups['hosts'].split(',').map((hostPort) => parseHost(hostPort, trimmed, password));
  const query = new URLSearchParams(groups['query'] ?? '');
  const kept = new URLSearchParams();
  const ignoredOptions: string[] = [];
  for (const [key, value] of query) {
    if (KNOWN_OPTIONS.has(flat(key))) kept.append(key, value);
    else ignoredOptions.push(key);
  }
  const option = (name: string): string | undefined => {
    for (const [key, value] of kept) if (flat(key) === flat(name)) return value;
    return undefined;
  };
  const deadline = Number.parseInt(option('defaultDeadline') ?? '', 10);
  const credentials = groups['user'] !== undefined && password !== undefined ? `${groups['user']}:${password}@` : '';
  const queryText = kept.toString();
  return {
    clientConnectionString: `${clientScheme}://${credentials}${groups['hosts']}${queryText ? `?${queryText}` : ''}`,
    display: displayOf(trimmed, password),
    hosts,
    tls: option('tls')?.toLowerCase() !== 'false',
    tlsVerifyCert: option('tlsVerifyCert')?.toLowerCase() !== 'false',
    tlsCAFile: option('tlsCAFile'),
    defaultDeadlineMs: Number.isFinite(deadline) && deadline > 0 ? deadline : CLIENT_DEFAULT_DEADLINE_MS,
    ignoredOptions,
    secrets: password ? [...new Set([password, safeDecode(password)])].filter((secret) => secret.length > 0) : [],
  };
}

/** Removes the password from any text that might quote the connection string. */
export function scrub(text: string, target: Pick<KurrentDbTarget, 'secrets'>): string {
  let result = text;
  for (const secret of target.secrets) result = result.split(secret).join('***');
  return result;
}

function parseHost(hostPort: string, whole: string, password: string | undefined): { host: string; port: number } {
  const [host = '', port, ...rest] = hostPort.trim().split(':');
  const number = port === undefined ? DEFAULT_PORT : Number(port);
  if (!host || rest.length > 0 || !Number.isInteger(number) || number <= 0 || number > 65_535) {
    throw new InvalidConnectionStringError(`EventStoreDB connection string ${displayOf(whole, password)}: bad host ${JSON.stringify(hostPort)}`);
  }
  return { host, port: number };
}

function displayOf(connectionString: string, password: string | undefined): string {
  const safe = safeUrl(connectionString);
  if (safe !== '<unparseable url>' && (!password || !safe.includes(password))) return safe;
  // Several hosts (`a:2113,b:2113`) are not a WHATWG URL, so hide the password by hand.
  return connectionString.replace(/^([a-z+]+:\/\/[^:@/?]+:)[^@]+@/i, '$1***@');
}

function flat(name: string): string {
  return name.trim().toLowerCase().replace(/[_-]/g, '');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
