/**
 * The chaos run: `npm run chaos` (or `npm run chaos -- --seconds=60`).
 * Writers, subscribers and a projection worker, each a process of its own,
 * reach a durable embedded PostgreSQL through a TCP proxy, while the conductor
 * stops PostgreSQL (immediate and fast), terminates its backends, blackholes
 * and cuts the connection, over and over. At the end it checks that no process
 * exited, that every acknowledged event is in the log exactly once, and that
 * every subscriber and the projection saw every event exactly once, in order.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { allMigrations } from '../../app/migrations.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { OwnPostgres } from '../../tests/support/own-postgres.js';
import { TcpProxy } from '../../tests/support/tcp-proxy.js';
import { ChaosChild } from './conductor.js';
import { FAULT_KINDS, inflict, type FaultKind } from './faults.js';
import type { ChildMessage } from './messages.js';

const seconds = Number(process.argv.find((argument) => argument.startsWith('--seconds='))?.slice('--seconds='.length) ?? 180);
const WRITER_PROCESSES = 2;
const SUBSCRIBER_PROCESSES = 2;
const CONVERGE_MS = 120_000;
const START_MS = 120_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface FaultRecord {
  kind: FaultKind;
  atSeconds: number;
  /** From the fault's end to the next acknowledged append. */
  firstAckAfterMs: number | undefined;
}

const acknowledged = new Set<string>();
let duplicateAcks = 0;
let lastAckAt = 0;
const writerErrors = new Map<string, Record<string, number>>();
const progress = new Map<string, number>();
const seen = new Map<string, { ids: string[]; outOfOrder: number }>();
const ready = new Set<string>();
let lastComparison: ProjectionComparison | undefined;

function onMessage(child: ChaosChild, message: ChildMessage): void {
  switch (message.kind) {
    case 'ready':
      ready.add(child.name);
      return;
    case 'acknowledged':
      for (const id of message.ids) {
        if (acknowledged.has(id)) duplicateAcks++;
        acknowledged.add(id);
      }
      lastAckAt = Date.now();
      return;
    case 'errors':
      writerErrors.set(child.name, message.byName);
      return;
    case 'progress':
      progress.set(child.name, message.count);
      return;
    case 'seen':
      seen.set(child.name, { ids: message.ids, outOfOrder: message.outOfOrder });
      return;
    default: {
      const unknown: never = message;
      throw new Error(`unknown message ${JSON.stringify(unknown)}`);
    }
  }
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(250);
  }
  return condition();
}

// All migrations: the projection worker's tables too.
const server = await OwnPostgres.start({}, allMigrations);
const proxy = await TcpProxy.start(server.port);
const appUrl = proxy.url(server.url);
const children = [
  ...Array.from({ length: WRITER_PROCESSES }, (_, i) => new ChaosChild(`writer-${i}`, 'writer', appUrl, onMessage)),
  ...Array.from({ length: SUBSCRIBER_PROCESSES }, (_, i) => new ChaosChild(`subscriber-${i}`, 'subscriber', appUrl, onMessage)),
  new ChaosChild('projection', 'projection', appUrl, onMessage),
];
const messaging = children.filter((child) => child.role !== 'projection');
// Generous: on a busy machine loading TypeScript in five processes takes a while.
if (!(await until(() => messaging.every((child) => ready.has(child.name)), START_MS))) {
  // Leave nothing running behind: the children, the proxy, the server and its data.
  await Promise.all(children.map((child) => child.stop(5_000)));
  await proxy.close();
  await server.destroy();
  throw new Error(`children did not start within ${START_MS / 1_000} s: ${messaging.filter((child) => !ready.has(child.name)).map((child) => child.name).join(', ')}`);
}

const startedAt = Date.now();
const faults: FaultRecord[] = [];
console.log(`chaos for ${seconds} s: ${WRITER_PROCESSES} writer processes, ${SUBSCRIBER_PROCESSES} subscribers, 1 projection worker`);
while (Date.now() - startedAt < seconds * 1_000) {
  await sleep(3_000 + Math.random() * 3_000);
  const kind = FAULT_KINDS[faults.length % FAULT_KINDS.length]!;
  const record: FaultRecord = { kind, atSeconds: Math.round((Date.now() - startedAt) / 1_000), firstAckAfterMs: undefined };
  await inflict(kind, server, proxy);
  const healedAt = Date.now();
  faults.push(record);
  void until(() => lastAckAt > healedAt, 60_000).then((acked) => (record.firstAckAfterMs = acked ? lastAckAt - healedAt : undefined));
  console.log(`${record.atSeconds}s ${kind}; ${acknowledged.size} events acknowledged so far`);
}
const chaosSeconds = (Date.now() - startedAt) / 1_000;

await Promise.all(children.filter((child) => child.role === 'writer').map((child) => child.stop(60_000)));
const store = await PostgresEventStore.connect({ connectionString: server.url, logger: createLogger('silent') });
const log: RecordedEvent[] = await store.readAll();
await store.close();
const logIds = log.map((event) => event.id);

const subscribers = children.filter((child) => child.role === 'subscriber');
await until(() => subscribers.every((child) => (progress.get(child.name) ?? 0) >= log.length), CONVERGE_MS);
for (const child of subscribers) child.tell({ kind: 'report' });
await until(() => subscribers.every((child) => seen.has(child.name)), 30_000);
const projectionMatches = await until(() => projectionAgrees(server.url, log), CONVERGE_MS);
await Promise.all(children.filter((child) => child.role !== 'writer').map((child) => child.stop(30_000)));
await proxy.close();
await server.destroy();

const logSet = new Set(logIds);
const checks = {
  'no process exited': children.every((child) => child.unexpectedExit === undefined),
  'log holds each event once': logSet.size === logIds.length,
  'every acknowledged event is in the log': [...acknowledged].every((id) => logSet.has(id)),
  'no event acknowledged twice': duplicateAcks === 0,
  'every subscriber saw the log exactly, in order': subscribers.every((child) => {
    const report = seen.get(child.name);
    return report !== undefined && report.outOfOrder === 0 && report.ids.length === logIds.length && report.ids.every((id, i) => id === logIds[i]);
  }),
  'the projection agrees with the log': projectionMatches,
};
const results = {
  at: new Date().toISOString(),
  chaosSeconds: Math.round(chaosSeconds),
  eventsInLog: log.length,
  eventsAcknowledged: acknowledged.size,
  acknowledgedPerSecond: Math.round(acknowledged.size / chaosSeconds),
  faults: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, faults.filter((fault) => fault.kind === kind).length])),
  medianFirstAckAfterFaultMs: medianOf(faults.map((fault) => fault.firstAckAfterMs).filter((ms): ms is number => ms !== undefined)),
  writerErrors: Object.fromEntries(writerErrors),
  unexpectedExits: Object.fromEntries(children.filter((child) => child.unexpectedExit).map((child) => [child.name, child.unexpectedExit])),
  subscribers: Object.fromEntries(subscribers.map((child) => [child.name, { seen: seen.get(child.name)?.ids.length ?? null, outOfOrder: seen.get(child.name)?.outOfOrder ?? null }])),
  projection: lastComparison,
  childLogs: Object.fromEntries(children.map((child) => [child.name, child.logFile])),
  checks,
};
await mkdir(new URL('../results/', import.meta.url), { recursive: true });
await writeFile(new URL(`../results/chaos-${results.at.replace(/[:.]/g, '-')}.json`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
const passed = Object.values(checks).every(Boolean);
console.log(passed ? 'chaos: every check passed' : 'chaos: FAILED');
process.exit(passed ? 0 : 1);

interface ProjectionComparison {
  agrees: boolean;
  streamsMissing: number;
  streamsExtra: number;
  countsHigh: number;
  countsLow: number;
  lastPositionWrong: number;
  status: unknown;
}

/** Each stream's row counts its events and ends at its last one, as the log says. */
async function projectionAgrees(url: string, events: readonly RecordedEvent[]): Promise<boolean> {
  const expected = new Map<string, { count: number; last: bigint }>();
  for (const event of events) {
    const row = expected.get(event.stream) ?? { count: 0, last: 0n };
    expected.set(event.stream, { count: row.count + 1, last: event.position });
  }
  const client = new pg.Client(url);
  await client.connect();
  try {
    const { rows } = await client.query<{ stream: string; event_count: string; last_position: string }>(
      'SELECT stream, event_count::text, last_position::text FROM stream_summary',
    );
    const comparison: ProjectionComparison = { agrees: false, streamsMissing: 0, streamsExtra: 0, countsHigh: 0, countsLow: 0, lastPositionWrong: 0, status: undefined };
    const found = new Set<string>();
    for (const row of rows) {
      found.add(row.stream);
      const want = expected.get(row.stream);
      if (!want) comparison.streamsExtra++;
      else if (Number(row.event_count) > want.count) comparison.countsHigh++;
      else if (Number(row.event_count) < want.count) comparison.countsLow++;
      else if (BigInt(row.last_position) !== want.last) comparison.lastPositionWrong++;
    }
    comparison.streamsMissing = [...expected.keys()].filter((stream) => !found.has(stream)).length;
    comparison.agrees = Object.entries(comparison).every(([key, value]) => key === 'agrees' || key === 'status' || value === 0);
    comparison.status = (await client.query('SELECT name, state, position::text, error_message, owner FROM projections')).rows;
    lastComparison = comparison;
    return comparison.agrees;
  } catch (error) {
    lastComparison = { agrees: false, streamsMissing: -1, streamsExtra: -1, countsHigh: -1, countsLow: -1, lastPositionWrong: -1, status: String(error) };
    return false;
  } finally {
    await client.end();
  }
}

function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
