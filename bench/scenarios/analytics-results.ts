import type { ScenarioResult } from '../report.js';
import type { BenchServer } from '../support/server.js';
import { ANALYTICS_LOAD, analyticsBenchmark, type AnalyticsInstallation } from './analytics.js';
import { rawAppendWithoutProjections, type RawAppendFigure } from './analytics-raw-append.js';

const ACKNOWLEDGED_TARGET = 50_000;
const END_TO_END_TARGET = 25_000;
const COPY = 'COPY into the fact table (limit)';
const RAW_APPEND = 'raw append of the same events, no projections (design limit)';
const RAW_APPEND_PROJECTED = 'raw append, projections running';

/** How each installation is named in the scenarios: the one-process names are those of earlier results. */
const INSTALLATIONS: { installation: AnalyticsInstallation; database: string; suffix: string }[] = [
  { installation: 'one-process', database: 'bench_analytics', suffix: '' },
  { installation: 'api-and-worker', database: 'bench_analytics_split', suffix: '; `chronicle api` and `chronicle worker` processes' },
];

/** The analytics group, for each installation: events/s acknowledged and end to end, against COPY of the same rows, and the count check. */
export async function analyticsResults(server: BenchServer, options: { seconds: number; poolSize: number }): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  // Once for both installations: what the log alone takes of the ingest's events, nothing else running.
  const rawAppend = await rawAppendWithoutProjections(await server.createDatabase('bench_analytics_raw'), options);
  console.error(`done: analytics raw append (${Math.round(rawAppend.perSecond)} events/s)`);
  for (const { installation, database, suffix } of INSTALLATIONS) {
    results.push(...(await installationResults(server, { ...options, installation, database, suffix }, rawAppend)));
    console.error(`done: analytics (${installation})`);
  }
  return results;
}

async function installationResults(
  server: BenchServer,
  options: { seconds: number; poolSize: number; installation: AnalyticsInstallation; database: string; suffix: string },
  rawAppend: RawAppendFigure,
): Promise<ScenarioResult[]> {
  const result = await analyticsBenchmark({ databaseUrl: await server.createDatabase(options.database), seconds: options.seconds, poolSize: options.poolSize, installation: options.installation });
  const copyPerSecond = result.copy.rows / result.copy.seconds;
  const lost = result.acknowledged - Math.min(result.facts, result.factIds, result.minuteCounts);
  const extra = Math.max(result.facts, result.factIds, result.minuteCounts) - result.acknowledged;
  const at = `${ANALYTICS_LOAD.eventsPerRequest} events a request, concurrency ${ANALYTICS_LOAD.concurrency}, ${result.load.seconds.toFixed(0)} s${options.suffix}`;
  const references = { [RAW_APPEND]: rawAppend.perSecond, [RAW_APPEND_PROJECTED]: result.rawAppendWithProjections.perSecond, [COPY]: copyPerSecond };
  const rawNotes =
    `raw append (100 events an append, concurrency ${ANALYTICS_LOAD.concurrency}): ${rawAppend.appends.toLocaleString('en-US')} appends in ${rawAppend.seconds.toFixed(1)} s alone, ` +
    `${result.rawAppendWithProjections.appends.toLocaleString('en-US')} in ${result.rawAppendWithProjections.seconds.toFixed(1)} s beside the projections`;
  const counts = `${result.acknowledged.toLocaleString('en-US')} acknowledged; warehouse: ${result.facts.toLocaleString('en-US')} facts, ${result.factIds.toLocaleString('en-US')} ids, minute rollup sum ${result.minuteCounts.toLocaleString('en-US')}`;
  return [
    {
      scenario: `POST /v1/batch, ${at}: events acknowledged`,
      unit: 'events/s',
      figures: { chronicle: result.acknowledgedPerSecond, ...references },
      ours: 'chronicle',
      peers: [RAW_APPEND, RAW_APPEND_PROJECTED, COPY],
      target: { description: `at least ${ACKNOWLEDGED_TARGET.toLocaleString('en-US')} events/s`, met: result.acknowledgedPerSecond >= ACKNOWLEDGED_TARGET },
      notes: `requests p50 ${result.load.p50Ms.toFixed(1)} ms, p99 ${result.load.p99Ms.toFixed(1)} ms; ${counts}; ${rawNotes}`,
    },
    {
      scenario: `POST /v1/batch, ${at}: end to end (until the warehouse holds every acknowledged event)`,
      unit: 'events/s',
      figures: { chronicle: result.endToEndPerSecond, ...references },
      ours: 'chronicle',
      peers: [RAW_APPEND, RAW_APPEND_PROJECTED, COPY],
      target: {
        description: `at least ${END_TO_END_TARGET.toLocaleString('en-US')} events/s, zero loss`,
        met: result.endToEndPerSecond >= END_TO_END_TARGET && lost === 0 && extra === 0,
      },
      notes:
        `warehouse lag when the load stopped: ${result.lagEventsAtEnd.toLocaleString('en-US')} events, taken in ${result.catchUpSeconds.toFixed(1)} s; ` +
        `${lost} lost, ${extra} counted twice; COPY: ${result.copy.rows.toLocaleString('en-US')} rows in ${result.copy.seconds.toFixed(2)} s`,
    },
  ];
}
