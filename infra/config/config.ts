import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://');

const eventStoreUrl = z
  .string()
  .regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kurrent|kurrent\+discover):\/\//, 'must start with kurrentdb:// or esdb://');

/** Messages start with "must" so the one-line error reads "PORT must be ...". */
function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
  const message = `must be a whole number ${range}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
}

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
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 1mb, 512kb or 1000b').default('1mb'),
  SHUTDOWN_GRACE_MS: integer(1).default(10_000),
  /** Bound on each check behind GET /readyz. */
  READINESS_TIMEOUT_MS: integer(1).default(3_000),
  EVENTSTORE_CONNECT_TIMEOUT_MS: integer(1).default(5_000),
  SUBSCRIPTION_POLL_MS: integer(1).default(1_000),
  APPEND_TIMEOUT_MS: integer(1).default(30_000),
});

export type Config = z.infer<typeof configSchema>;

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
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const variable = issue.path.join('.');
    if (blankAsUnset[variable] === undefined) return `${variable} is missing`;
    return `${variable} ${describe(issue.message)}`;
  });
  throw new ConfigError(`invalid configuration: ${[...new Set(problems)].join('; ')}`);
}

function describe(message: string): string {
  return message.startsWith('must') ? message : `is invalid: ${message}`;
}
