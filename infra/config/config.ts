import { isIP } from 'node:net';
import { z } from 'zod';
import { analyticsAnomalyConfigSchema } from './analytics-anomaly-config.js';
import { analyticsIngestConfigSchema } from './analytics-config.js';
import { analyticsEnrichmentConfigSchema } from './analytics-enrichment-config.js';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://');

const eventStoreUrl = z
  .string()
  .regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kurrent|kurrent\+discover):\/\//, 'must start with kurrentdb:// or esdb://');

/**
 * `false`, a hop count, or addresses and subnets (`loopback`, `10.0.0.0/8`),
 * as express' 'trust proxy' takes them. Each entry is checked here, with the rest of
 * the configuration: express would refuse a bad one only when the HTTP app is built,
 * after the workers have started. `true` is refused: it believes X-Forwarded-For from
 * any peer, so any client could name a fresh address per request and pass every
 * per-IP limit.
 */
const trustProxy = z
  .string()
  .refine((text) => text.trim() !== 'true', {
    message:
      'must not be true (any client could then choose its own address and pass every per-IP limit): give the number of proxies in front of Chronicle (1) or their addresses and subnets (10.0.0.0/8)',
  })
  .refine((text) => text.trim() === 'true' || /^(false|\d+)$/.test(text) || text.split(',').every((entry) => isTrustedProxyEntry(entry.trim())), {
    message: 'must be false, a number of hops, or a comma list of IP addresses, subnets (10.0.0.0/8), loopback, linklocal or uniquelocal',
  })
  .transform((text): false | number | string => (text === 'false' ? false : /^\d+$/.test(text) ? Number(text) : text));

function isTrustedProxyEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', range, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (version === 4 ? 32 : 128);
  // A netmask (255.255.0.0) after an IPv4 address.
  return version === 4 && isIP(range) === 4;
}

const commaList = z.string().transform((text) => text.split(',').map((item) => item.trim()).filter((item) => item !== ''));

/** Browser origins allowed to call the API from another site: `scheme://host[:port]`, nothing after. */
const corsOrigins = commaList.pipe(
  z.array(
    z
      .string()
      .refine((origin) => URL.canParse(origin) && new URL(origin).origin === origin && /^https?:/.test(origin), {
        message: 'must be a comma list of origins like https://app.example.com or http://localhost:5173 (no path, no trailing slash)',
      }),
  ),
);

const booleanFlag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((text) => text === 'true' || text === '1');

/**
 * Identity (auth/). Every limit is tunable here (CONTRACT.md section 3);
 * defaults are DEFAULT_AUTH_LIMITS'. TRUST_PROXY defaults to `loopback`: a
 * reverse proxy on the same host is believed about the client's address
 * (X-Forwarded-For), a peer from anywhere else never is.
 */
const identitySchema = {
  AUTH_ISSUER: z.url({ error: 'must be a URL' }).optional(),
  AUTH_AUDIENCE: z.string().min(1).default('chronicle-api'),
  ACCESS_TOKEN_TTL_SECONDS: integer(1).default(900),
  AUTH_CLOCK_TOLERANCE_SECONDS: integer(0, 300).default(5),
  ACCESS_TOKEN_ENCRYPTION: booleanFlag.default(false),
  REFRESH_TOKEN_TTL_SECONDS: integer(60).default(2_592_000),
  REFRESH_TOKEN_REUSE_GRACE_SECONDS: integer(0, 300).default(10),
  OPERATOR_EMAILS: commaList.default([]),
  INVITATION_TTL_SECONDS: integer(60).default(604_800),
  SIGNUP_ABANDONED_RESERVATION_MS: integer(1_000).default(300_000),
  API_KEY_DEFAULT_RATE_LIMIT_PER_MINUTE: integer(1).default(600),
  /** Active (unrevoked) API keys per tenant; past it, issuing answers 409 api_key_limit_reached. */
  API_KEYS_PER_TENANT: integer(1).default(100),
  RATE_LIMIT_API_KEY_ISSUE_PER_TENANT: integer(1).default(20),
  RATE_LIMIT_API_KEY_ISSUE_PER_TENANT_WINDOW_SECONDS: integer(1).default(3600),
  RATE_LIMIT_SIGNUP_PER_IP: integer(1).default(10),
  RATE_LIMIT_SIGNUP_PER_IP_WINDOW_SECONDS: integer(1).default(3600),
  RATE_LIMIT_SIGNUP_PER_EMAIL: integer(1).default(5),
  RATE_LIMIT_SIGNUP_PER_EMAIL_WINDOW_SECONDS: integer(1).default(3600),
  RATE_LIMIT_LOGIN_PER_IP: integer(1).default(100),
  RATE_LIMIT_LOGIN_PER_IP_WINDOW_SECONDS: integer(1).default(900),
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: integer(1).default(10),
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_WINDOW_SECONDS: integer(1).default(900),
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_BLOCK_SECONDS: integer(0).default(900),
  /** How often the identity housekeeping sweep runs (ended sessions, rotated refresh tokens, abandoned OIDC logins, expired links and counters). */
  AUTH_SWEEP_INTERVAL_MS: integer(1_000).default(600_000),
  /** How long a rotated refresh token is kept: presented again within it, it ends its session. */
  REFRESH_TOKEN_REUSE_DETECTION_SECONDS: integer(60).default(2_592_000),
  RATE_LIMIT_OIDC_LOGIN_PER_IP: integer(1).default(100),
  RATE_LIMIT_OIDC_LOGIN_PER_IP_WINDOW_SECONDS: integer(1).default(900),
  TRUST_PROXY: trustProxy.default('loopback'),
  OIDC_PROVIDERS: commaList.pipe(z.array(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must list lower-case names (a-z, 0-9, _)'))).default([]),
};

/**
 * Mail (auth/mail): verification and password reset links. Without
 * SMTP_URL, messages are written to the log at info with their links, so a
 * single person on one machine still receives them.
 */
const mailSchema = {
  SMTP_URL: z.string().regex(/^smtps?:\/\/\S+$/, 'must look like smtp://user:pass@host:port or smtps://...').optional(),
  MAIL_FROM: z.string().trim().max(320).regex(/^[^\r\n]*@[^\r\n]*$/, 'must be an address, e.g. Chronicle <chronicle@example.com>').default('Chronicle <chronicle@localhost>'),
  PUBLIC_URL: z
    .url({ error: 'must be a URL' })
    .refine((text) => /^https?:$/.test(new URL(text).protocol), 'must be an http or https URL')
    .optional(),
  EMAIL_VERIFICATION_TTL_SECONDS: integer(60).default(86_400),
  PASSWORD_RESET_TTL_SECONDS: integer(60, 86_400).default(900),
  RATE_LIMIT_VERIFY_EMAIL_RESEND_PER_USER: integer(1).default(3),
  RATE_LIMIT_VERIFY_EMAIL_RESEND_PER_USER_WINDOW_SECONDS: integer(1).default(3600),
  RATE_LIMIT_PASSWORD_RESET_PER_EMAIL: integer(1).default(3),
  RATE_LIMIT_PASSWORD_RESET_PER_EMAIL_WINDOW_SECONDS: integer(1).default(3600),
  RATE_LIMIT_PASSWORD_RESET_PER_IP: integer(1).default(20),
  RATE_LIMIT_PASSWORD_RESET_PER_IP_WINDOW_SECONDS: integer(1).default(3600),
};

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http on a loopback address only (a local provider); anything else is refused. */
const issuerUrl = z.url({ error: 'must be a URL' }).refine((text) => {
  const url = new URL(text);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}, 'must be an https URL (http only on localhost)');

function oidcProviderShape(names: readonly string[]): Record<string, z.ZodType<string>> {
  return Object.fromEntries(
    names.flatMap((name) => {
      const prefix = `OIDC_${name.toUpperCase()}_`;
      return [
        [`${prefix}ISSUER`, issuerUrl],
        [`${prefix}CLIENT_ID`, z.string().min(1)],
        [`${prefix}CLIENT_SECRET`, z.string().min(1)],
        [`${prefix}REDIRECT_URI`, z.url({ error: 'must be a URL' })],
      ];
    }),
  );
}

function oidcProvider(name: string, values: Record<string, string>): OidcProviderConfig {
  const get = (suffix: string) => values[`OIDC_${name.toUpperCase()}_${suffix}`] ?? '';
  const issuer = get('ISSUER');
  return {
    name,
    issuer,
    clientId: get('CLIENT_ID'),
    clientSecret: get('CLIENT_SECRET'),
    redirectUri: get('REDIRECT_URI'),
    allowInsecureRequests: new URL(issuer).protocol === 'http:',
  };
}

/** Messages start with "must" so the one-line error reads "PORT must be ...". */
function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
  const message = `must be a whole number ${range}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
}

/** The live feed (api/feed/): every limit of GET /feed (README, "Live feed"). */
const feedSchema = {
  /** Largest message a client may send; over it the socket is closed with 1009. */
  FEED_MAX_MESSAGE_BYTES: integer(256, 16 * 1024 * 1024).default(64 * 1024),
  FEED_MAX_SUBSCRIPTIONS_PER_SOCKET: integer(1).default(100),
  /** Bytes queued on a socket beyond which its client is a slow consumer (closed with 4008, it resumes). */
  FEED_MAX_BUFFERED_BYTES: integer(1024).default(8 * 1024 * 1024),
  /** Live events held for a subscription while it catches up from the store; more and it is closed with 4008. */
  FEED_CATCH_UP_BUFFER_EVENTS: integer(1).default(10_000),
  /** How often the sessions of connected access tokens are re-checked (a logout closes the socket within it). */
  FEED_AUTH_RECHECK_MS: integer(100).default(2_000),
  /** How often every socket is pinged (and each SSE stream gets a comment); a socket that did not answer the previous ping is cut off. */
  FEED_HEARTBEAT_MS: integer(100).default(30_000),
  /** Open feed connections (sockets and SSE streams together) per user or API key; more are refused (4009, or 429 for SSE). */
  FEED_MAX_CONNECTIONS_PER_USER: integer(1).default(50),
  /** Open feed connections per client address (through TRUST_PROXY), guests included. */
  FEED_MAX_CONNECTIONS_PER_IP: integer(1).default(1_000),
};

/** The analytics queries (api/analytics/): the longest range each may cover, and the export's bounds (README, "Analytics queries"). */
const analyticsQuerySchema = {
  /** Longest range of `counts?interval=minute`, in hours (24 = 1,440 buckets). */
  ANALYTICS_MAX_SPAN_MINUTE_HOURS: integer(1, 24 * 31).default(24),
  /** Longest range of `counts?interval=hour`, in days. */
  ANALYTICS_MAX_SPAN_HOUR_DAYS: integer(1, 366).default(31),
  /** Longest range of `counts?interval=day`, `active-users?interval=day` and `top-events`, in days. */
  ANALYTICS_MAX_SPAN_DAY_DAYS: integer(1, 3660).default(366),
  /** Longest range of `active-users?interval=month`, in months. */
  ANALYTICS_MAX_SPAN_MONTH_MONTHS: integer(1, 120).default(24),
  /** Longest range of one export, in days. */
  ANALYTICS_EXPORT_MAX_SPAN_DAYS: integer(1, 3660).default(366),
  /** Exports streaming at once in one process, each on a PostgreSQL connection of its own; more answer 503 `exports_busy`. */
  ANALYTICS_EXPORT_CONCURRENCY: integer(1, 100).default(2),
  /** Bound on one export's statement: a client reading slower than this gets a cut-off stream. */
  ANALYTICS_EXPORT_TIMEOUT_MS: integer(1000).default(600_000),
};

export const configSchema = z.object({
  PORT: integer(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: postgresUrl.optional(),
  EVENTSTORE_URL: eventStoreUrl.optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  EMBEDDED_PG_PORT: integer(1024, 65535).default(54329),
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
  DB_POOL_SIZE: integer(1).default(10),
  /** Bound on reaching PostgreSQL at start-up, so an unreachable host fails instead of hanging. */
  DATABASE_CONNECT_TIMEOUT_MS: integer(1).default(10_000),
  /** Bound on one statement of the read models and projections; a session idle inside a transaction that long is ended. */
  DATABASE_STATEMENT_TIMEOUT_MS: integer(1).default(30_000),
  CORS_ORIGINS: corsOrigins.default([]),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 1mb, 512kb or 1000b').default('1mb'),
  SHUTDOWN_GRACE_MS: integer(1).default(10_000),
  /** Bound on each check behind GET /readyz. */
  READINESS_TIMEOUT_MS: integer(1).default(3_000),
  EVENTSTORE_CONNECT_TIMEOUT_MS: integer(1).default(5_000),
  SUBSCRIPTION_POLL_MS: integer(1).default(1_000),
  READ_YOUR_WRITES_TIMEOUT_MS: integer(1).default(5_000),
  /** How long an Idempotency-Key is remembered from its first use: a repeat after it runs as a new request. */
  IDEMPOTENCY_KEY_TTL_SECONDS: integer(60).default(86_400),
  APPEND_TIMEOUT_MS: integer(1).default(30_000),
  /** Largest event, data and metadata as UTF-8 JSON; at most the 64 MiB one append may carry. */
  MAX_EVENT_BYTES: integer(1, 64 * 1024 * 1024).default(1024 * 1024),
  ...identitySchema,
  ...mailSchema,
  ...feedSchema,
  ...analyticsIngestConfigSchema,
  ...analyticsEnrichmentConfigSchema,
  ...analyticsAnomalyConfigSchema,
  ...analyticsQuerySchema,
});

export type Config = Omit<z.infer<typeof configSchema>, 'AUTH_ISSUER' | 'PUBLIC_URL'> & {
  /** `http://localhost:PORT` unless set. */
  AUTH_ISSUER: string;
  /** Where links in mail point: `http://localhost:PORT` unless set; never with a trailing slash. */
  PUBLIC_URL: string;
  /** One entry per name in OIDC_PROVIDERS, from its OIDC_<NAME>_* variables. */
  oidcProviders: readonly OidcProviderConfig[];
};

export interface OidcProviderConfig {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Only for an issuer on a loopback address over http (a local test or development provider). */
  allowInsecureRequests: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses the environment; the error names each bad variable in one line and
 * never repeats a value, which may be a secret.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankAsUnset = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = configSchema.safeParse(blankAsUnset);
  if (!parsed.success) throw configError(parsed.error.issues, blankAsUnset);
  const providers = z.object(oidcProviderShape(parsed.data.OIDC_PROVIDERS)).safeParse(blankAsUnset);
  if (!providers.success) throw configError(providers.error.issues, blankAsUnset);
  return {
    ...parsed.data,
    AUTH_ISSUER: parsed.data.AUTH_ISSUER ?? `http://localhost:${parsed.data.PORT}`,
    PUBLIC_URL: (parsed.data.PUBLIC_URL ?? `http://localhost:${parsed.data.PORT}`).replace(/\/+$/, ''),
    oidcProviders: parsed.data.OIDC_PROVIDERS.map((name) => oidcProvider(name, providers.data)),
  };
}

function configError(issues: readonly z.core.$ZodIssue[], env: Record<string, unknown>): ConfigError {
  const problems = issues.map((issue) => {
    // The variable, never the value (it may be a secret) nor an index into a list.
    const variable = String(issue.path[0] ?? '');
    if (env[variable] === undefined) return `${variable} is missing`;
    return `${variable} ${describe(issue.message)}`;
  });
  return new ConfigError(`invalid configuration: ${[...new Set(problems)].join('; ')}`);
}

function describe(message: string): string {
  return message.startsWith('must') ? message : `is invalid: ${message}`;
}
