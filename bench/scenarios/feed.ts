/**
 * The live feed under load (issue 11, point 9): Chronicle's feed (the API in
 * a process of its own, on a durable PostgreSQL) and the raw `ws` broadcast
 * it is held against, measured in the same run with the same clients. The
 * clients live in child processes (bench/feed/client-process.ts), a few
 * thousand sockets each. Three measures, each subject in turn:
 *
 * - idle: the server's resident memory before and after `idleConnections`
 *   sockets connect and subscribe;
 * - latency: `clients` sockets subscribed to everything they may read while
 *   a writer sends posts at each pace of `postsPerSecond` for `steadySeconds`;
 *   from the write's send (and, for Chronicle, from its acknowledgement) to
 *   each socket's arrival;
 * - fan-out: a burst of `burstEvents` events to the same sockets, delivered
 *   messages per second from the burst's start to the last arrival; `rounds`
 *   rounds, subjects alternating.
 */
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fanOutFigures, latencyFigures, type FanOutFigures, type LatencyFigures } from '../feed/arrival-figures.js';
import { syntheticTemplate } from '../feed/bench-posts.js';
import { startChronicleSubject, type ChronicleSubject } from '../feed/chronicle-subject.js';
import { ClientFleet } from '../feed/client-fleet.js';
import type { FeedSubject } from '../feed/feed-subject.js';
import { cpuMs, settledResidentBytes } from '../feed/process-usage.js';
import { startRawSubject } from '../feed/raw-subject.js';

export interface FeedBenchOptions {
  databaseUrl: string;
  poolSize: number;
  /** Sockets for the latency and fan-out measures. */
  clients: number;
  /** Readers the sockets are spread over: admins of one tenant, each with a session of their own. */
  admins: number;
  /** Sockets for the idle memory measure. */
  idleConnections: number;
  /** Client processes the sockets are spread over (each may open 20,000 files at most). */
  clientProcesses: number;
  steadySeconds: number;
  /** The steady writer's paces, one latency measure each (the feed's latency depends on how near saturation it runs). */
  postsPerSecond: readonly number[];
  burstEvents: number;
  rounds: number;
  /** Write CPU profiles of Chronicle's server process here, one for the latency measure and one for the fan-out rounds. */
  cpuProfileDir?: string;
}

export interface IdleFigures {
  connections: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  bytesPerConnection: number;
  connectSeconds: number;
}

export interface LatencyMeasure {
  postsPerSecond: number;
  /** From the write's send: for Chronicle, the HTTP append included. */
  fromSend: LatencyFigures;
  /** Chronicle only: from the moment the writer had the 201 (the append committed). */
  fromAck?: LatencyFigures;
  /** Writes the steady writer had to hold back (the server could not keep its pace). */
  delayedWrites?: number;
  /** CPU time of the server over the measure, ms (Chronicle's includes the writer's HTTP appends). */
  serverCpuMs: number;
}

export interface SubjectFigures {
  idle?: IdleFigures;
  latency: LatencyMeasure[];
  meanMessageBytes?: number;
  fanOut: FanOutFigures[];
  /** Close codes the clients saw during the measures. */
  closes: Record<string, number>;
}

export interface FeedBenchResult {
  /** By subject name; Chronicle is absent when this build serves no feed. */
  subjects: Record<string, SubjectFigures>;
  chronicleServed: boolean;
  loadAverage: { before: number[]; after: number[] };
  /** Resident memory of all client processes together when they held the idle sockets, bytes. */
  clientRssBytes: number;
}

/** Arrivals stop being awaited after this long without a new one. */
const STALL_MS = 10_000;
const POLL_MS = 250;
const SETTLE_MS = 2_000;
const WARM_UP_POSTS = 30;
const WARM_UP_POSTS_PER_SECOND = 10;

export async function feedBenchmark(options: FeedBenchOptions): Promise<FeedBenchResult> {
  const loadBefore = loadavg();
  const fleet = ClientFleet.start(options.clientProcesses);
  const subjects: FeedSubject[] = [];
  const figures: Record<string, SubjectFigures> = {};
  let clientRssBytes = 0;
  let seq = 1;
  const profiler = options.cpuProfileDir ? new Profiler(options.cpuProfileDir) : undefined;
  const take = (count: number): number[] => Array.from({ length: count }, () => seq++);
  try {
    // The client processes are up (tsx has compiled them) before anything is timed.
    await fleet.record();
    const chronicle = await startChronicleSubject({
      databaseUrl: options.databaseUrl,
      poolSize: options.poolSize,
      admins: options.admins,
    });
    if (chronicle) subjects.push(chronicle);
    subjects.unshift(await startRawSubject(chronicle?.template ?? syntheticTemplate()));
    for (const subject of subjects) figures[subject.name] = { latency: [], fanOut: [], closes: {} };
    console.error(`feed: subjects ${subjects.map((subject) => subject.name).join(', ')}`);

    for (const subject of subjects) {
      const idle = await measureIdle(fleet, subject, options.idleConnections);
      figures[subject.name]!.idle = idle.figures;
      clientRssBytes = Math.max(clientRssBytes, idle.clientRssBytes);
      console.error(`feed: idle ${subject.name} done`);
    }

    for (const subject of subjects) await fleet.connect(subject.name, subject.feedUrl, cycle(subject.tokens, options.clients), subject.subscribe);
    // Untimed: the first posts after 10,000 sockets came and went met a cold JIT and a heap still collecting them, in either subject.
    for (const subject of subjects) {
      await fleet.record();
      const warmUp = take(WARM_UP_POSTS);
      await subject.steady(warmUp, 1000 / WARM_UP_POSTS_PER_SECOND);
      await awaitArrivals(fleet, warmUp.length * options.clients);
    }
    for (const postsPerSecond of options.postsPerSecond) {
      for (const subject of subjects) {
        await pause(SETTLE_MS);
        await fleet.record();
        const seqs = take(Math.round(postsPerSecond * options.steadySeconds));
        await profiler?.start(subject);
        const cpuBefore = await cpuMs(subject.pid);
        const writes = await subject.steady(seqs, 1000 / postsPerSecond);
        await awaitArrivals(fleet, seqs.length * options.clients);
        const serverCpuMs = (await cpuMs(subject.pid)) - cpuBefore;
        await profiler?.stop(subject, `latency-${postsPerSecond}`);
        const report = await fleet.report();
        const subjectFigures = figures[subject.name]!;
        subjectFigures.latency.push({
          postsPerSecond,
          fromSend: latencyFigures(report, { first: seqs[0]!, at: writes.sentAt }, options.clients),
          ...(writes.ackedAt ? { fromAck: latencyFigures(report, { first: seqs[0]!, at: writes.ackedAt }, options.clients) } : {}),
          ...(writes.delayed !== undefined ? { delayedWrites: writes.delayed } : {}),
          serverCpuMs,
        });
        subjectFigures.meanMessageBytes = report.messages > report.unmarked ? report.bytes / report.messages : NaN;
        addCloses(subjectFigures.closes, report.closes);
      }
      console.error(`feed: latency at ${postsPerSecond} posts/s done`);
    }

    if (chronicle) await profiler?.start(chronicle);
    for (let round = 0; round < options.rounds; round++) {
      for (const subject of subjects) {
        await pause(SETTLE_MS);
        await fleet.record();
        const seqs = take(options.burstEvents);
        const cpuBefore = await cpuMs(subject.pid);
        const startedAt = await subject.burst(seqs);
        const expected = seqs.length * options.clients;
        await awaitArrivals(fleet, expected);
        const serverCpuMs = (await cpuMs(subject.pid)) - cpuBefore;
        const report = await fleet.report();
        figures[subject.name]!.fanOut.push(fanOutFigures(report, startedAt, expected, serverCpuMs));
        addCloses(figures[subject.name]!.closes, report.closes);
      }
      console.error(`feed: fan-out round ${round + 1} done`);
    }
    if (chronicle) await profiler?.stop(chronicle, 'fan-out');
  } finally {
    for (const subject of subjects) await subject.stop().catch((error: unknown) => console.error(`feed: stopping ${subject.name}: ${String(error)}`));
    await fleet.stop();
  }
  return { subjects: figures, chronicleServed: subjects.length > 1, loadAverage: { before: loadBefore, after: loadavg() }, clientRssBytes };
}

/** CPU profiles of Chronicle's server, one per measure (the raw reference is not profiled). */
class Profiler {
  constructor(private readonly directory: string) {}

  async start(subject: FeedSubject): Promise<void> {
    if (isChronicle(subject)) await subject.startProfile();
  }

  async stop(subject: FeedSubject, measure: string): Promise<void> {
    if (!isChronicle(subject)) return;
    await mkdir(this.directory, { recursive: true });
    const file = path.resolve(this.directory, `feed-${measure}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
    await subject.stopProfile(file);
    console.error(`feed: CPU profile of the ${measure} measure written to ${file}`);
  }
}

function isChronicle(subject: FeedSubject): subject is ChronicleSubject {
  return 'startProfile' in subject;
}

async function measureIdle(fleet: ClientFleet, subject: FeedSubject, connections: number): Promise<{ figures: IdleFigures; clientRssBytes: number }> {
  const group = `idle ${subject.name}`;
  const rssBeforeBytes = await settledResidentBytes(subject.pid);
  const started = performance.now();
  await fleet.connect(group, subject.feedUrl, cycle(subject.tokens, connections), subject.subscribe);
  const connectSeconds = (performance.now() - started) / 1000;
  const rssAfterBytes = await settledResidentBytes(subject.pid);
  const { clientRss } = await fleet.report();
  await fleet.disconnect(group);
  return {
    figures: { connections, rssBeforeBytes, rssAfterBytes, bytesPerConnection: (rssAfterBytes - rssBeforeBytes) / connections, connectSeconds },
    clientRssBytes: clientRss,
  };
}

/** Until `expected` marked arrivals, or none for STALL_MS (a lost message or a closed socket must not hang the bench). */
async function awaitArrivals(fleet: ClientFleet, expected: number): Promise<void> {
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const marked = await fleet.marked();
    if (marked >= expected) return;
    if (marked !== last) {
      last = marked;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > STALL_MS) {
      console.error(`feed: ${marked} of ${expected} arrivals; none for ${STALL_MS / 1000} s, going on`);
      return;
    }
    await pause(POLL_MS);
  }
}

function cycle<T>(items: readonly T[], count: number): T[] {
  return Array.from({ length: count }, (_, index) => items[index % items.length]!);
}

function addCloses(into: Record<string, number>, closes: Record<string, number>): void {
  for (const [code, count] of Object.entries(closes)) into[code] = (into[code] ?? 0) + count;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
