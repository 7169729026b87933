import type { ScenarioResult } from '../report.js';
import type { FanOutFigures, LatencyFigures } from '../feed/arrival-figures.js';
import { CHRONICLE_SUBJECT } from '../feed/chronicle-subject.js';
import { RAW_SUBJECT } from '../feed/raw-subject.js';
import { median } from '../support/measure.js';
import type { BenchServer } from '../support/server.js';
import { feedBenchmark, type FeedBenchOptions, type FeedBenchResult, type LatencyMeasure, type SubjectFigures } from './feed.js';

const P99_TARGET_MS = 50;
const FAN_OUT_SHARE = 0.7;
const IDLE_RSS_TARGET_BYTES = 1024 ** 3;
const MIB = 1024 ** 2;

export type FeedGroupOptions = Omit<FeedBenchOptions, 'databaseUrl'>;

/** The feed group of the bench: latency, fan-out and idle memory, each against the raw `ws` broadcast of the same run. */
export async function feedResults(server: BenchServer, options: FeedGroupOptions): Promise<{ rows: ScenarioResult[]; details: FeedBenchResult }> {
  const details = await feedBenchmark({ ...options, databaseUrl: await server.createDatabase('bench_feed') });
  console.error('done: feed');
  const raw = details.subjects[RAW_SUBJECT]!;
  const chronicle = details.subjects[CHRONICLE_SUBJECT];
  const missing = chronicle ? '' : '; this build serves no feed at /feed: only the raw reference ran';
  const load = `load average ${details.loadAverage.before.map((value) => value.toFixed(1)).join(' ')} before, ${details.loadAverage.after.map((value) => value.toFixed(1)).join(' ')} after`;
  const subjectsOf = (pick: (figures: SubjectFigures) => number | undefined): Record<string, number> =>
    Object.fromEntries(
      Object.entries(details.subjects)
        .map(([name, figures]) => [name, pick(figures)] as const)
        .filter((entry): entry is readonly [string, number] => entry[1] !== undefined),
    );

  const latency = options.postsPerSecond.map((postsPerSecond): ScenarioResult => {
    const at = (figures: SubjectFigures): LatencyMeasure | undefined => figures.latency.find((measure) => measure.postsPerSecond === postsPerSecond);
    const ours = chronicle && at(chronicle);
    const reference = at(raw);
    return {
      scenario: `feed: delivery latency p99, ${options.clients.toLocaleString('en-US')} clients, ${postsPerSecond} posts/s for ${options.steadySeconds} s`,
      unit: 'ms',
      figures: subjectsOf((figures) => {
        const measure = at(figures);
        return (measure?.fromAck ?? measure?.fromSend)?.p99Ms;
      }),
      ours: CHRONICLE_SUBJECT,
      peers: [],
      ...(ours?.fromAck ? { target: { description: `p99 under ${P99_TARGET_MS} ms from the append's acknowledgement`, met: ours.fromAck.p99Ms < P99_TARGET_MS && complete(ours.fromAck) } } : {}),
      notes:
        [
          ours?.fromAck ? `chronicle from the 201 of POST /api/posts: ${describe(ours.fromAck)}` : undefined,
          ours ? `chronicle from the POST's send (the append included): ${describe(ours.fromSend)}` : undefined,
          ours?.delayedWrites ? `${ours.delayedWrites} writes held back (16 in flight)` : undefined,
          reference ? `raw ws from the broadcast: ${describe(reference.fromSend)}` : undefined,
          `server CPU over the measure: ${[ours && `chronicle ${(ours.serverCpuMs / 1000).toFixed(1)} s`, reference && `raw ws ${(reference.serverCpuMs / 1000).toFixed(1)} s`].filter(Boolean).join(', ')}`,
          `mean message ${Object.entries(details.subjects).map(([name, figures]) => `${name} ${Math.round(figures.meanMessageBytes ?? NaN)} B`).join(', ')}`,
          load,
        ]
          .filter((note) => note !== undefined)
          .join('; ') + missing,
    };
  });

  const fanOut: ScenarioResult = {
    scenario: `feed: fan-out at saturation, ${options.clients.toLocaleString('en-US')} clients, bursts of ${options.burstEvents.toLocaleString('en-US')} events (median of ${options.rounds})`,
    unit: 'messages/s',
    figures: subjectsOf((figures) => (figures.fanOut.length ? median(figures.fanOut.map((round) => round.messagesPerSecond)) : undefined)),
    ours: CHRONICLE_SUBJECT,
    peers: chronicle ? [RAW_SUBJECT] : [],
    ...(chronicle
      ? {
          target: {
            description: `at least ${FAN_OUT_SHARE * 100}% of the raw ws broadcast, every message delivered`,
            met: median(chronicle.fanOut.map((round) => round.messagesPerSecond)) >= FAN_OUT_SHARE * median(raw.fanOut.map((round) => round.messagesPerSecond)) && chronicle.fanOut.every(complete),
          },
        }
      : {}),
    notes:
      Object.entries(details.subjects)
        .map(([name, figures]) => `${name}: ${figures.fanOut.map(describeRound).join(', ')}; closes ${JSON.stringify(figures.closes)}`)
        .join('; ') + missing,
  };

  const idle: ScenarioResult = {
    scenario: `feed: ${options.idleConnections.toLocaleString('en-US')} idle subscribed connections, server resident memory`,
    unit: 'MiB',
    figures: subjectsOf((figures) => (figures.idle ? figures.idle.rssAfterBytes / MIB : undefined)),
    ours: CHRONICLE_SUBJECT,
    peers: chronicle ? [RAW_SUBJECT] : [],
    ...(chronicle?.idle ? { target: { description: 'under 1 GiB', met: chronicle.idle.rssAfterBytes < IDLE_RSS_TARGET_BYTES } } : {}),
    notes:
      Object.entries(details.subjects)
        .filter(([, figures]) => figures.idle)
        .map(([name, { idle: figures }]) => `${name}: ${(figures!.rssBeforeBytes / MIB).toFixed(0)} MiB before, ${(figures!.bytesPerConnection / 1024).toFixed(1)} KiB per connection, connected in ${figures!.connectSeconds.toFixed(1)} s`)
        .join('; ') + `; client processes ${(details.clientRssBytes / MIB).toFixed(0)} MiB together${missing}`,
  };
  return { rows: [...latency, fanOut, idle], details };
}

function describe(figures: LatencyFigures): string {
  return `p50 ${figures.p50Ms.toFixed(1)} ms, p99 ${figures.p99Ms.toFixed(1)} ms, max ${figures.maxMs.toFixed(1)} ms, ${figures.delivered.toLocaleString('en-US')} of ${figures.expected.toLocaleString('en-US')} delivered`;
}

function describeRound(round: FanOutFigures): string {
  const perMessage = (ms: number): string => `${((ms * 1000) / round.delivered).toFixed(1)} µs`;
  return (
    `${Math.round(round.messagesPerSecond).toLocaleString('en-US')}/s (${round.delivered.toLocaleString('en-US')} of ${round.expected.toLocaleString('en-US')} in ${round.seconds.toFixed(1)} s; ` +
    `CPU per message: server ${perMessage(round.serverCpuMs)}, clients ${perMessage(round.clientCpuMs)})`
  );
}

function complete(figures: { delivered: number; expected: number }): boolean {
  return figures.delivered === figures.expected;
}
