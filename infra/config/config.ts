import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://');

const eventStoreUrl = z
  .string()
  .regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kurrent|kurrent\+discover):\/\//, 'must start with kurrentdb:// or esdb://');

const positiveInt = z.coerce.number().int().positive();

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: postgresUrl.optional(),
  EVENTSTORE_URL: eventStoreUrl.optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  DB_POOL_SIZE: positiveInt.default(10),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 1mb, 512kb or 1000b').default('1mb'),
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),
  EVENTSTORE_CONNECT_TIMEOUT_MS: positiveInt.default(5_000),
  SUBSCRIPTION_POLL_MS: positiveInt.default(1_000),
  APPEND_TIMEOUT_MS: positiveInt.default(30_000),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; the error names each bad variable in one line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankAsUnset = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = configSchema.safeParse(blankAsUnset);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const variable = issue.path.join('.');
    const received = issue.code === 'invalid_type' ? 'is missing' : describe(issue.message);
    return `${variable} ${received}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

function describe(message: string): string {
  return message.startsWith('must') ? message : `is invalid: ${message}`;
}
