import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../infra/config/config.js';
import { parsePosition } from '../infra/event-store/event-store.js';
import { nameProblem } from '../infra/event-store/names.js';
import type * as AuditCommand from './commands/audit-command.js';
import type * as AuditVerify from './commands/audit-verify.js';
import type * as EventsTail from './commands/events-tail.js';
import type * as Migrate from './commands/migrate.js';
import type * as ProjectionsCommand from './commands/projections-command.js';
import type * as SeedDemo from './commands/seed-demo.js';
import { oneLine } from './errors.js';
import type * as Processes from './processes.js';

// A command's modules (for most, the whole application) load once it is chosen: a usage or
// configuration error is answered at once, without seconds of loading the server first.
const auditCommand = async (...args: Parameters<typeof AuditCommand.auditCommand>) => (await import('./commands/audit-command.js')).auditCommand(...args);
const auditVerifyCommand = async (...args: Parameters<typeof AuditVerify.auditVerifyCommand>) => (await import('./commands/audit-verify.js')).auditVerifyCommand(...args);
const eventsTailCommand = async (...args: Parameters<typeof EventsTail.eventsTailCommand>) => (await import('./commands/events-tail.js')).eventsTailCommand(...args);
const migrateCommand = async (...args: Parameters<typeof Migrate.migrateCommand>) => (await import('./commands/migrate.js')).migrateCommand(...args);
const projectionsCommand = async (...args: Parameters<typeof ProjectionsCommand.projectionsCommand>) => (await import('./commands/projections-command.js')).projectionsCommand(...args);
const seedDemoCommand = async (...args: Parameters<typeof SeedDemo.seedDemoCommand>) => (await import('./commands/seed-demo.js')).seedDemoCommand(...args);
const runServer = async (...args: Parameters<typeof Processes.runServer>) => (await import('./processes.js')).runServer(...args);

export const usage = `Usage: chronicle <command>

Commands:
  start                          HTTP API and background workers in one process
  api                            HTTP API only
  worker                         background workers only (with /healthz, /readyz, /metrics)
  migrate                        apply pending database migrations and exit
  events tail [--from <position>] [--stream <name>] [--category <name>] [--type <type>] [--follow]
                                 print events as JSON lines, after <position> if given, only of
                                 the streams, categories and types given (each may repeat);
                                 --follow keeps printing new ones until Ctrl-C
  audit stream <stream> [--backwards] [--json]
                                 every event of a stream with its metadata, as a table
  audit actor <id> [--stream <name>] [--category <name>] [--type <type>] [--backwards] [--json]
                                 everything an actor (user id, API key id, chronicle) did
  audit correlation <id> [--json]
                                 the events of one correlation, as a tree of what caused what
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
      stream: { type: 'string', multiple: true },
      category: { type: 'string', multiple: true },
      type: { type: 'string', multiple: true },
      backwards: { type: 'boolean' },
      digest: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] === 'projections') return parseProjections(positionals.slice(1), values, env);
  if (positionals[0] === 'audit' && AUDIT_READS.has(positionals[1] ?? '') && !values.help) return parseAudit(positionals.slice(1), values, env);
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
  const selecting = values.stream !== undefined || values.category !== undefined || values.type !== undefined;
  if (selecting && words !== 'events tail') throw new UsageError('--stream, --category and --type belong to "events tail" and "audit actor"');
  if (values.backwards !== undefined) throw new UsageError('--backwards belongs to "audit stream" and "audit actor"');
  if (values.digest !== undefined && words !== 'audit verify') throw new UsageError('--digest belongs to "audit verify"');
  switch (words) {
    case 'start':
    case 'api':
    case 'worker':
      return () => {
        // A bad variable is named before the server's modules load (runServer reads the configuration again).
        loadConfig(env);
        return runServer(words, env);
      };
    case 'migrate':
      return () => migrateCommand(env);
    case 'seed-demo': {
      const options = { users: count(values.users, 12, 1, '--users'), posts: count(values.posts, 60, 0, '--posts') };
      return () => seedDemoCommand(env, options);
    }
    case 'events tail': {
      const from = values.from === undefined ? undefined : parsePosition(values.from);
      const selection = { streams: names(values.stream, '--stream'), categories: names(values.category, '--category'), types: names(values.type, '--type') };
      return () => eventsTailCommand(env, { ...(from === undefined ? {} : { from }), follow: values.follow ?? false, ...selection });
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

/** Stream names, categories and event types as given: the store's own limits (names.ts), so a typo is a usage error, not an empty answer. */
function names(given: readonly string[] | undefined, option: string): string[] {
  for (const name of given ?? []) {
    const problem = nameProblem(name);
    if (problem !== undefined) throw new UsageError(`${option} ${problem}`);
  }
  return [...(given ?? [])];
}

/** The audit commands that read the trail (`audit verify` is parsed with the others). */
const AUDIT_READS: ReadonlySet<string> = new Set(['stream', 'actor', 'correlation']);

/** One value at most (the audit trail's filters take one each). */
function single(given: readonly string[] | undefined, option: string): string | undefined {
  const [first, ...more] = names(given, option);
  if (more.length > 0) throw new UsageError(`${option} may be given once for "audit actor"`);
  return first;
}

function parseAudit(
  words: readonly string[],
  values: { json?: boolean; backwards?: boolean; stream?: string[]; category?: string[]; type?: string[]; from?: string; follow?: boolean; position?: string; reason?: string; users?: string; posts?: string; digest?: string },
  env: NodeJS.ProcessEnv,
): () => Promise<number> {
  const [verb, subject, ...rest] = words;
  if (rest.length > 0) throw new UsageError(`unexpected "${rest.join(' ')}"`);
  const foreign = (['from', 'follow', 'position', 'reason', 'users', 'posts', 'digest'] as const).filter((option) => values[option] !== undefined);
  if (foreign.length > 0) throw new UsageError(`--${foreign.join(', --')} ${foreign.length === 1 ? 'does' : 'do'} not belong to "audit ${verb ?? ''}"`);
  if (subject === undefined) throw new UsageError(`"audit ${verb ?? ''}" needs ${verb === 'stream' ? 'a stream name' : verb === 'actor' ? 'an actor id' : 'an id'}`);
  const output = { json: values.json ?? false, backwards: values.backwards ?? false };
  const selecting = values.stream !== undefined || values.category !== undefined || values.type !== undefined;
  if (selecting && verb !== 'actor') throw new UsageError('--stream, --category and --type belong to "events tail" and "audit actor"');
  if (values.backwards !== undefined && verb === 'correlation') throw new UsageError('--backwards belongs to "audit stream" and "audit actor"');
  switch (verb) {
    case 'stream': {
      const [stream] = names([subject], 'the stream');
      return () => auditCommand(env, { kind: 'stream', stream: stream! }, output);
    }
    case 'actor': {
      const stream = single(values.stream, '--stream');
      const category = single(values.category, '--category');
      const type = single(values.type, '--type');
      const filters = { ...(stream === undefined ? {} : { stream }), ...(category === undefined ? {} : { category }), ...(type === undefined ? {} : { type }) };
      return () => auditCommand(env, { kind: 'actor', actorId: subject, filters }, output);
    }
    case 'correlation':
      return () => auditCommand(env, { kind: 'correlation', correlationId: subject }, output);
    default:
      throw new Error(`parseAudit was handed "audit ${verb ?? ''}"`);
  }
}

function parseProjections(
  words: readonly string[],
  values: { json?: boolean; position?: string; reason?: string; from?: string; follow?: boolean; stream?: string[]; category?: string[]; type?: string[]; backwards?: boolean },
  env: NodeJS.ProcessEnv,
): () => Promise<number> {
  const [verb, name, ...rest] = words;
  if (rest.length > 0) throw new UsageError(`unexpected "${rest.join(' ')}"`);
  if (values.from !== undefined || values.follow !== undefined) throw new UsageError('--from and --follow belong to "events tail"');
  if (values.stream !== undefined || values.category !== undefined || values.type !== undefined || values.backwards !== undefined) {
    throw new UsageError('--stream, --category, --type and --backwards do not belong to "projections"');
  }
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
