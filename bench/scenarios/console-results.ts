import { consoleLiveFeedBenchmark, type ConsoleBenchResult } from '../console/live-feed-bench.js';
import type { PageRecording } from '../console/page-probe.js';
import type { ScenarioResult } from '../report.js';
import { median, percentile } from '../support/measure.js';
import type { BenchServer } from '../support/server.js';

/** A response within 100 ms feels immediate (RAIL); a frame every 16.7 ms is 60 per second. */
const INPUT_TARGET_MS = 100;
const FRAME_MS = 1_000 / 60;
const LIST_NODES_TARGET = 1_000;
const FLOOD = 'flood';
const QUIET = 'quiet (no events)';

export interface ConsoleGroupOptions {
  perSecond: number;
  seconds: number;
  quietSeconds: number;
  cpuProfileDir?: string;
}

/** The console group: the live feed page in headless Chromium while the log takes `perSecond` events, against the same page with none. */
export async function consoleResults(server: BenchServer, options: ConsoleGroupOptions): Promise<{ rows: ScenarioResult[]; details: ConsoleBenchResult }> {
  const details = await consoleLiveFeedBenchmark({ ...options, databaseUrl: await server.createDatabase('bench_console') });
  console.error('done: console');
  const { quiet, flood, appends, list } = details;
  const at = `${options.perSecond.toLocaleString('en-US')} events/s for ${options.seconds} s`;
  const load = `load average ${details.loadAverage.before.map((value) => value.toFixed(1)).join(' ')} before, ${details.loadAverage.after.map((value) => value.toFixed(1)).join(' ')} after`;
  const latencies = (recording: PageRecording) => recording.inputs.map((input) => input.latencyMs);
  const both = (pick: (recording: PageRecording) => number) => ({ [FLOOD]: pick(flood), [QUIET]: pick(quiet) });
  const written = `${appends.count.toLocaleString('en-US')} appended in ${appends.seconds.toFixed(1)} s (${Math.round(appends.count / appends.seconds).toLocaleString('en-US')}/s, ${appends.delayed} held back)`;
  return {
    details,
    rows: [
      {
        scenario: `console live feed, ${at}: input latency p99 (key presses, pause, resume)`,
        unit: 'ms',
        figures: both((recording) => percentile(latencies(recording), 0.99)),
        ours: FLOOD,
        peers: [QUIET],
        target: { description: `p99 under ${INPUT_TARGET_MS} ms`, met: percentile(latencies(flood), 0.99) < INPUT_TARGET_MS },
        notes: `median ${describe((recording) => median(latencies(recording)))} over ${flood.inputs.length} and ${quiet.inputs.length} inputs; ${written}; ${load}`,
      },
      {
        scenario: `console live feed, ${at}: frames per second`,
        unit: 'frames/s',
        figures: both((recording) => recording.frameGapsMs.length / (recording.recordedMs / 1_000)),
        ours: FLOOD,
        peers: [QUIET],
        notes:
          `frame gap median ${describe((recording) => median(recording.frameGapsMs))}, p99 ${describe((recording) => percentile(recording.frameGapsMs, 0.99))}; ` +
          `dropped frames ${describe(droppedFrames, '')}`,
      },
      {
        scenario: `console live feed, ${at}: main thread in long tasks`,
        unit: '% of time',
        figures: both((recording) => (100 * sum(recording.longTasksMs)) / recording.recordedMs),
        ours: FLOOD,
        peers: [QUIET],
        notes: `long tasks ${describe((recording) => recording.longTasksMs.length, '')}; median ${describe((recording) => median(recording.longTasksMs))}, p99 ${describe((recording) => percentile(recording.longTasksMs, 0.99))}`,
      },
      {
        scenario: `console live feed, ${at}: the browser's CPU (all its processes)`,
        unit: '% of a core',
        figures: { [FLOOD]: (100 * details.cpuMs.flood.browser) / flood.recordedMs, [QUIET]: (100 * details.cpuMs.quiet.browser) / quiet.recordedMs },
        ours: FLOOD,
        peers: [QUIET],
        notes: `the server (chronicle start, appends and projections included): ${format((100 * details.cpuMs.flood.server) / flood.recordedMs)}% of a core (quiet ${format((100 * details.cpuMs.quiet.server) / quiet.recordedMs)}%)`,
      },
      {
        scenario: `console live feed, ${at}: elements in the list (most seen)`,
        unit: 'elements',
        figures: both((recording) => Math.max(0, ...recording.listNodes)),
        ours: FLOOD,
        peers: [],
        target: { description: `under ${LIST_NODES_TARGET} while it holds ${list.rows.toLocaleString('en-US')} rows`, met: Math.max(0, ...flood.listNodes) < LIST_NODES_TARGET },
        notes: `whole document, most seen: ${describe((recording) => Math.max(0, ...recording.documentNodes), '')}`,
      },
      {
        scenario: `console live feed, ${at}: rows not the appended event expected at their place, after pauses and resumes`,
        unit: 'rows',
        figures: { [FLOOD]: list.wrong },
        ours: FLOOD,
        peers: [],
        target: { description: 'zero', met: list.wrong === 0 && list.rows > 0 },
        notes: `the list holds the newest ${list.rows.toLocaleString('en-US')} of ${appends.count.toLocaleString('en-US')} appended (it lets the oldest go past 20,000); the last append on top ${list.catchUpMs.toFixed(0)} ms after its acknowledgement; a FeedClient in the bench's process with the same subscription received ${details.follower.received.toLocaleString('en-US')} of them, p50 ${format(details.follower.p50Ms)} ms, p99 ${format(details.follower.p99Ms)} ms, max ${format(details.follower.maxMs)} ms after their acknowledgement`,
      },
    ],
  };

  function describe(pick: (recording: PageRecording) => number, unit = ' ms'): string {
    return `${format(pick(flood))}${unit} (quiet ${format(pick(quiet))}${unit})`;
  }
}

/** Frames missed: a gap of n frame periods skipped n - 1 of them. */
function droppedFrames(recording: PageRecording): number {
  return sum(recording.frameGapsMs.map((gap) => Math.max(0, Math.round(gap / FRAME_MS) - 1)));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function format(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(1);
}
