import { parseArgs } from 'node:util';
import { ConfigError } from '../infra/config/config.js';
import { parsePosition } from '../infra/event-store/event-store.js';
import { auditVerifyCommand } from './commands/audit-verify.js';
import { eventsTailCommand } from './commands/events-tail.js';
import { migrateCommand } from './commands/migrate.js';
import { projectionsCommand } from './commands/projections-command.js';
import { seedDemoCommand } from './commands/seed-demo.js';
import { oneLine } from './errors.js';
import { runServer } from './processes.js';

export const usage = `Usage: chronicle <command>

Commands:
  start                          HTTP API and background workers in one process
  api                            HTTP API only
  worker                         background workers only (with /healthz, /readyz, /metrics)
  migrate                        apply pending database migrations and exit
  events tail [--from <position>] [--follow]
                                 print events as JSON lines, after <position> if given;
                                 --follow keeps printing new ones until Ctrl-C
  projections status [--json]    every projection: status, checkpoint, head, lag, events/s, last error
  projections replay <name>      rebuild <name> from the start of the log beside the live tables,
                                 swap it in when caught up; shows progress, events/s and ETA
  projections retry <name>       resume a failed projection from its checkpoint
  projections skip <name> --position <position> --reason <text>
                                 skip the one event a failed projection stopped on (recorded)
  audit verify [--digest <file>] [--json]
                                 recompute the audit hash chain from the log and compare it with
                                 the seal; names the first event that does not match (exit 1).
                                 With a digest (GET /api/admin/audit/digest saved to a file): check
                                 its signature against the JWKS and the log up to it
  seed-demo [--users <n>] [--posts <n>]
                                 load demo data (tenants, users with roles, posts, public and
                                 private collections with members; 12 users and 60 posts unless
                                 told) through the command handlers; running it again adds nothing

Options:
  -h, --help                     show this help

Configuration is read from environment variables (PORT, DATABASE_URL, EVENTSTORE_URL,
DATA_DIR, LOG_LEVEL, ...); see the README.`;

class UsageError extends Error {}

/** Runs one command and returns the process exit code: 0 done, 1 failed, 2 bad usage. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let command: () => Promise<number>;
  try {
    command = parseCommand(argv, env);
  } catch (error) {
    process.stderr.write(`chronicle: ${oneLine(error)}\n\n${usage}\n`);
    return 2;
  }
  try {
    return await command();
  } catch (error) {
    const prefix = error instanceof ConfigError ? '' : 'cannot run: ';
    process.stderr.write(`chronicle: ${prefix}${oneLine(error)}\n`);
    return 1;
  }
}

function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): () => Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      help: { type: 'boolean', short: 'h' },
      from: { type: 'string' },
      follow: { type: 'boolean', short: 'f' },
      json: { type: 'boolean' },
      position: { type: 'string' },
      reason: { type: 'string' },
      users: { type: 'string' },
      posts: { type: 'string' },
      digest: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] === 'projections') return parseProjections(positionals.slice(1), values, env);
  const words = positionals.join(' ');
  if (values.help || words === 'help' || words === '') {
    return async () => {
      process.stdout.write(`${usage}\n`);
      return words === '' && !values.help ? 2 : 0;
    };
  }
  const seedOnly = values.users !== undefined || values.posts !== undefined;
  if (seedOnly && words !== 'seed-demo') throw new UsageError('--users and --posts belong to "seed-demo"');
  const tailOnly = values.from !== undefined || values.follow !== undefined;
  if (tailOnly && words !== 'events tail') throw new UsageError('--from and --follow belong to "events tail"');
  if (values.digest !== undefined && words !== 'audit verify') throw new UsageError('--digest belongs to "audit verify"');
  switch (words) {
    case 'start':
    case 'api':
    case 'worker':
      return () => runServer(words, env);
    case 'migrate':
      return () => migrateCommand(env);
    case 'seed-demo': {
      const options = { users: count(values.users, 12, 1, '--users'), posts: count(values.posts, 60, 0, '--posts') };
      return () => seedDemoCommand(env, options);
    }
    case 'events tail': {
      const from = values.from === undefined ? undefined : parsePosition(values.from);
      return () => eventsTailCommand(env, { ...(from === undefined ? {} : { from }), follow: values.follow ?? false });
    }
    case 'audit verify':
      return () => auditVerifyCommand(env, { ...(values.digest === undefined ? {} : { digestFile: values.digest }), json: values.json ?? false });
    default:
      throw new UsageError(`unknown command "${words}"`);
  }
}

/** A whole number option from `min` to 10,000, `fallback` when absent. */
function count(text: string | undefined, fallback: number, min: number, name: string): number {
  if (text === undefined) return fallback;
  const value = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= 10_000)) throw new UsageError(`${name} must be a whole number from ${min} to 10000`);
  return value;
}

function parseProjections(
  words: readonly string[],
  values: { json?: boolean; position?: string; reason?: string; from?: string; follow?: boolean },
  env: NodeJS.ProcessEnv,
): () => Promise<number> {
  const [verb, name, ...rest] = words;
  if (rest.length > 0) throw new UsageError(`unexpected "${rest.join(' ')}"`);
  if (values.from !== undefined || values.follow !== undefined) throw new UsageError('--from and --follow belong to "events tail"');
  if (verb === 'status' && name === undefined) return () => projectionsCommand(env, { kind: 'status', json: values.json ?? false });
  if (name === undefined) throw new UsageError(`"projections ${verb ?? ''}" needs a projection name`);
  switch (verb) {
    case 'replay':
    case 'retry':
      return () => projectionsCommand(env, { kind: verb, name });
    case 'skip': {
      if (values.position === undefined || values.reason === undefined) throw new UsageError('"projections skip" needs --position and --reason');
      const position = parsePosition(values.position);
      const reason = values.reason;
      return () => projectionsCommand(env, { kind: 'skip', name, position, reason });
    }
    default:
      throw new UsageError(`unknown command "projections ${verb ?? ''}"`);
  }
}
