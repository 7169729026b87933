import { correlationEvents, auditReads, listAuditEvents, type AuditDirection, type AuditEvent, type AuditFilters, type AuditReads, type CorrelatedEvent } from '../../projections/audit/audit-queries.js';
import type { AuditReader } from '../../projections/audit/audit-visibility-sql.js';
import { connectServices } from '../connect-services.js';
import { textTable } from './text-table.js';
import { toolContext, writeLine } from './tool-context.js';

export type AuditAction =
  | { kind: 'stream'; stream: string }
  | { kind: 'actor'; actorId: string; filters: Omit<AuditFilters, 'actor'> }
  | { kind: 'correlation'; correlationId: string };

export interface AuditOutput {
  /** One JSON object per line (event-json.ts' view; a correlation's with causedBy, caused and depth), for scripts. */
  json: boolean;
  /** Newest first (stream and actor). */
  backwards: boolean;
}

/** Events a page reads; a table is printed a page at a time, so a long history starts showing at once. */
const PAGE_SIZE = 500;
/** The operator's CLI reads the whole trail, as `/api/audit/*` lets operators. */
const OPERATOR: AuditReader = { type: 'operator' };
/** More than any correlation a person reads as a tree. */
const CORRELATION_LIMIT = 100_000;

/**
 * `chronicle audit stream|actor|correlation`: the audit trail
 * (projections/audit/), read by the operator straight from PostgreSQL.
 * Exit code 1 when there is nothing to show, so a script can tell.
 */
export async function auditCommand(env: NodeJS.ProcessEnv, action: AuditAction, output: AuditOutput): Promise<number> {
  const { config, logger, runtime } = toolContext(env);
  try {
    const services = await connectServices(runtime, config, logger);
    const reads = auditReads(services.knex);
    const direction: AuditDirection = output.backwards ? 'backwards' : 'forwards';
    switch (action.kind) {
      case 'stream':
        return await printEvents(reads, { stream: action.stream }, direction, output.json, `no events in stream ${action.stream}`);
      case 'actor':
        return await printEvents(reads, { ...action.filters, actor: action.actorId }, direction, output.json, `no events by ${action.actorId}`);
      case 'correlation':
        return await printCorrelation(reads, action.correlationId, output.json);
      default: {
        const unknown: never = action;
        throw new Error(`unknown audit action ${JSON.stringify(unknown)}`);
      }
    }
  } finally {
    await runtime.stop();
  }
}

async function printEvents(reads: AuditReads, filters: AuditFilters, direction: AuditDirection, json: boolean, none: string): Promise<number> {
  let cursor: string | undefined;
  let printed = 0;
  for (;;) {
    const page = await listAuditEvents(reads, OPERATOR, filters, { limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) }, direction);
    const lines = json ? page.items.map((event) => JSON.stringify(event)) : eventTable(page.items, printed === 0);
    for (const line of lines) await writeLine(line);
    printed += page.items.length;
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  if (printed === 0) process.stderr.write(`${none}\n`);
  return printed === 0 ? 1 : 0;
}

async function printCorrelation(reads: AuditReads, correlationId: string, json: boolean): Promise<number> {
  const { events, truncated } = await correlationEvents(reads, OPERATOR, correlationId, CORRELATION_LIMIT);
  if (events.length === 0) {
    process.stderr.write(`no events of correlation ${correlationId}\n`);
    return 1;
  }
  const lines = json ? events.map((event) => JSON.stringify(event)) : correlationTree(events);
  for (const line of lines) await writeLine(line);
  if (truncated) process.stderr.write(`only the first ${CORRELATION_LIMIT} events are shown\n`);
  return 0;
}

const EVENT_HEADER = ['POSITION', 'OCCURRED AT', 'STREAM', 'REV', 'TYPE', 'ACTOR', 'CORRELATION'];

/** Each page is aligned on its own; the header comes with the first. */
function eventTable(events: readonly AuditEvent[], withHeader: boolean): string[] {
  if (events.length === 0) return [];
  const lines = textTable(EVENT_HEADER, events.map(eventCells));
  return withHeader ? lines : lines.slice(1);
}

function eventCells(event: AuditEvent): string[] {
  const metadata = event.metadata;
  return [event.position, textOf(metadata['occurredAt']) ?? event.recordedAt, event.stream, event.revision, event.type, actorOf(metadata['actor']), textOf(metadata['correlationId']) ?? '-'];
}

/** The chain as a tree: each event under the one that caused it, in log order among siblings. */
function correlationTree(events: readonly CorrelatedEvent[]): string[] {
  const byId = new Map(events.map((event) => [event.id, event]));
  const rows: string[][] = [];
  const visit = (event: CorrelatedEvent, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? '' : `${prefix}${last ? '└─ ' : '├─ '}`;
    rows.push([`${branch}${event.type}`, event.stream, event.revision, event.position, actorOf(event.metadata['actor']), textOf(event.metadata['occurredAt']) ?? event.recordedAt]);
    const children = event.caused.map((id) => byId.get(id)).filter((child): child is CorrelatedEvent => child !== undefined);
    const childPrefix = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
    children.forEach((child, i) => visit(child, childPrefix, i === children.length - 1, false));
  };
  for (const root of events.filter((event) => event.causedBy === null)) visit(root, '', true, true);
  return textTable(['EVENT', 'STREAM', 'REV', 'POSITION', 'ACTOR', 'OCCURRED AT'], rows);
}

function actorOf(actor: unknown): string {
  if (typeof actor !== 'object' || actor === null) return '-';
  const { type, id } = actor as { type?: unknown; id?: unknown };
  return `${textOf(type) ?? '?'}:${textOf(id) ?? '?'}`;
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
