import type { ScenarioResult } from '../report.js';
import type { LoadFigures } from '../support/load.js';
import type { BenchServer } from '../support/server.js';
import { CONTENT_CONCURRENCY, contentBenchmark } from './content.js';
import { postsReplayBenchmark } from './content-replay.js';

const RAW_APPEND = `raw append, 1 event, concurrency ${CONTENT_CONCURRENCY.rawAppend}`;
const BARE_READ = `bare express + pg SELECT by id, concurrency ${CONTENT_CONCURRENCY.http}`;
const WRITE_SHARE = 0.3;
const READ_SHARE = 0.6;
const READ_P99_MS = 25;
const REPLAY_EVENTS_PER_SECOND = 100_000;
const COPY = 'COPY FROM STDIN, indexes kept (limit)';
const BULK_COPY = 'COPY FROM STDIN, then the indexes built (limit)';
const SEARCH_VECTOR = 'search vector alone, to_tsvector (limit)';

/** The content group of the bench: each route against its reference, as requests/s, with p50 and p99 in the notes. */
export async function contentResults(server: BenchServer, options: { seconds: number; poolSize: number; replayEvents: number; cpuProfileDir?: string }): Promise<ScenarioResult[]> {
  const result = await contentBenchmark({ databaseUrl: await server.createDatabase('bench_content'), ...options });
  console.error('done: content routes');
  const replay = await postsReplayBenchmark(await server.createDatabase('bench_content_replay'), options.replayEvents);
  console.error('done: posts replay');
  const replayRow: ScenarioResult = {
    scenario: `posts read model replay, ${replay.events.toLocaleString('en-US')} PostCreated events (one post each)`,
    unit: 'events/s',
    figures: { chronicle: replay.eventsPerSecond, [COPY]: replay.copyRowsPerSecond, [BULK_COPY]: replay.bulkCopyRowsPerSecond, [SEARCH_VECTOR]: replay.searchVectorRowsPerSecond },
    ours: 'chronicle',
    peers: [COPY, BULK_COPY, SEARCH_VECTOR],
    target: { description: `at least ${REPLAY_EVENTS_PER_SECOND.toLocaleString('en-US')} events/s`, met: replay.eventsPerSecond >= REPLAY_EVENTS_PER_SECOND },
    notes:
      "COPY: the same rows into a table of the read model's definition (search column and GIN index included), " +
      'once with its indexes kept row by row, once without its secondary indexes then built (as the replay loads), both timed; the faster is the limit; ' +
      'search vector alone: the search column\'s expression over the same rows in one query (parallel workers allowed), nothing stored',
  };
  const references: ScenarioResult[] = [
    reference(`${RAW_APPEND} (event store appendToStream)`, 'events/s', result.rawAppend, result.again?.rawAppend),
    reference(BARE_READ, 'requests/s', result.bareRead, result.again?.bareRead),
  ];
  // The limit is the better of the two measurements of each reference.
  const rawAppend = best(result.rawAppend, result.again?.rawAppend);
  const bareRead = best(result.bareRead, result.again?.bareRead);
  if (!result.routes) return [...references.map((row) => ({ ...row, notes: `${row.notes}; the server has no posts routes: only the references ran` })), replayRow];
  const { create, update, getOne, list } = result.routes;
  const at = `concurrency ${CONTENT_CONCURRENCY.http}, ${options.seconds} s`;
  return [
    ...references,
    write(`POST /api/posts, ${at}`, create, rawAppend),
    write(`PUT /api/posts/:id (random of ${result.postsSeeded.toLocaleString('en-US')} posts), ${at}`, update, rawAppend),
    read(`GET /api/posts/:id, ${at}`, getOne, bareRead),
    read(`GET /api/posts?limit=20, ${at}`, list, bareRead),
    replayRow,
  ];
}

function latencies(figures: LoadFigures): string {
  return `p50 ${figures.p50Ms.toFixed(1)} ms, p99 ${figures.p99Ms.toFixed(1)} ms, ${figures.requests.toLocaleString('en-US')} requests in ${figures.seconds.toFixed(1)} s`;
}

function best(first: LoadFigures, again: LoadFigures | undefined): LoadFigures {
  return again && again.perSecond > first.perSecond ? again : first;
}

/** A reference row: its rate before the routes, and after them when measured again (the ratios take the better). */
function reference(scenario: string, unit: string, before: LoadFigures, after: LoadFigures | undefined): ScenarioResult {
  if (!after) return { scenario, unit, figures: { reference: before.perSecond }, ours: 'reference', peers: [], notes: latencies(before) };
  return {
    scenario,
    unit,
    figures: { reference: best(before, after).perSecond, 'before the routes': before.perSecond, 'after the routes': after.perSecond },
    ours: 'reference',
    peers: [],
    notes: `before the routes: ${latencies(before)}; after them: ${latencies(after)}`,
  };
}

function write(scenario: string, figures: LoadFigures, rawAppend: LoadFigures): ScenarioResult {
  return {
    scenario,
    unit: 'requests/s',
    figures: { chronicle: figures.perSecond, [RAW_APPEND]: rawAppend.perSecond },
    ours: 'chronicle',
    peers: [RAW_APPEND],
    target: { description: `at least ${WRITE_SHARE * 100}% of the raw append rate`, met: figures.perSecond >= WRITE_SHARE * rawAppend.perSecond },
    notes: latencies(figures),
  };
}

function read(scenario: string, figures: LoadFigures, bareRead: LoadFigures): ScenarioResult {
  const share = figures.perSecond >= READ_SHARE * bareRead.perSecond;
  return {
    scenario,
    unit: 'requests/s',
    figures: { chronicle: figures.perSecond, [BARE_READ]: bareRead.perSecond },
    ours: 'chronicle',
    peers: [BARE_READ],
    target: {
      description: `at least ${READ_SHARE * 100}% of the bare express read and p99 under ${READ_P99_MS} ms`,
      met: share && figures.p99Ms < READ_P99_MS,
    },
    notes: latencies(figures),
  };
}
