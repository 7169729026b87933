import type { Readable } from 'node:stream';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { clientLiveness, sessionOptions } from '../../../infra/postgres/connection-liveness.js';
import { WAREHOUSE } from './warehouse-tables.js';

export type ExportFormat = 'ndjson' | 'csv';

export interface FactsExportQuery {
  tenantId: string;
  from: Date;
  to: Date;
  format: ExportFormat;
}

export interface FactsExportSession {
  /** The connection string of the warehouse's PostgreSQL. */
  connectionString: string;
  /** The export's statement_timeout: a reader slower than this gets a cut-off stream. */
  statementTimeoutMs: number;
  connectTimeoutMs?: number;
}

/** An export under way: its rows as bytes, and how to end it early (the client went away). */
export interface FactsExport {
  readonly rows: Readable;
  /** Ends the session at once, whatever state its COPY is in; idempotent. */
  close(): void;
}

/** Column name in the export, and the SQL giving it: times in ISO 8601 UTC, as the API writes them everywhere. */
const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['messageId', 'message_id'],
  ['type', 'type'],
  ['event', 'event'],
  ['userId', 'user_id'],
  ['anonymousId', 'anonymous_id'],
  ['occurredAt', isoTime('occurred_at')],
  ['receivedAt', isoTime('received_at')],
  ['sentTimestamp', isoTime('sent_timestamp')],
  ['browser', 'browser'],
  ['os', 'os'],
  ['device', 'device'],
  ['country', 'country'],
  ['source', 'source'],
  ['keyId', 'key_id'],
  ['position', 'position::text'],
  ['properties', 'properties'],
];

function isoTime(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * The tenant's facts in [from, to), oldest first, streamed by PostgreSQL
 * itself (COPY ... TO STDOUT) on a session of the export's own: no row is
 * held in memory beyond the stream's buffers. The COPY stream reads the
 * socket only as fast as its reader takes the bytes, so a slow HTTP client
 * slows PostgreSQL down (it waits in ClientWrite) rather than filling memory.
 */
export async function openFactsExport(session: FactsExportSession, query: FactsExportQuery): Promise<FactsExport> {
  const client = new pg.Client({
    connectionString: session.connectionString,
    application_name: 'chronicle-export',
    ...clientLiveness(session.connectTimeoutMs),
    // Checks every second while COPY runs whether the client is still there, so a vanished one ends it.
    options: sessionOptions({ statement_timeout: String(session.statementTimeoutMs), client_connection_check_interval: '1000', TimeZone: 'UTC' }),
  });
  // A failed session shows as the stream's error; the client's own 'error' must not go unhandled.
  client.on('error', () => undefined);
  await client.connect();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    // Not end(): its Terminate message would wait behind the COPY's unread output. The server sees the
    // socket go and ends the backend (a write fails, or client_connection_check_interval notices).
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    client.end().catch(() => undefined);
  };
  try {
    const rows = client.query(copyTo(copySql(query, (value) => client.escapeLiteral(value))));
    rows.once('end', () => {
      closed = true;
      client.end().catch(() => undefined);
    });
    rows.once('error', close);
    return { rows, close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * COPY takes no parameters: the values are literals, escaped by the driver.
 * ndjson goes through CSV with a quote and a delimiter JSON text never holds
 * raw (PostgreSQL escapes every control character in JSON), so each line is
 * the JSON object as is, with none of the text format's backslash escapes.
 */
export function copySql(query: FactsExportQuery, literal: (value: string) => string): string {
  const where = `tenant_id = ${literal(query.tenantId)}::uuid AND occurred_at >= ${literal(query.from.toISOString())}::timestamptz AND occurred_at < ${literal(query.to.toISOString())}::timestamptz`;
  const order = 'ORDER BY occurred_at, message_id';
  if (query.format === 'csv') {
    const select = COLUMNS.map(([name, sql]) => `${sql} AS "${name}"`).join(', ');
    return `COPY (SELECT ${select} FROM ${WAREHOUSE.facts} WHERE ${where} ${order}) TO STDOUT WITH (FORMAT csv, HEADER true)`;
  }
  const object = `json_build_object(${COLUMNS.map(([name, sql]) => `'${name}', ${sql}`).join(', ')})::text`;
  return `COPY (SELECT ${object} FROM ${WAREHOUSE.facts} WHERE ${where} ${order}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;
}
