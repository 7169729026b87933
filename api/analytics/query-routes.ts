import type { Knex } from 'knex';
import type { Runtime } from '../../commands/runtime.js';
import { WAREHOUSE_PROJECTION } from '../../projections/warehouse/warehouse-projection.js';
import { activeUsers } from '../../projections/warehouse/queries/active-users.js';
import { eventCounts, topEvents } from '../../projections/warehouse/queries/event-counts.js';
import { minPositionHeaderSchema, type ReadYourWrites } from '../read-your-writes.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { analyticsTenantOf } from './analytics-reader.js';
import {
  activeUsersAnswerSchema,
  activeUsersQuerySchema,
  countsAnswerSchema,
  countsQuerySchema,
  topEventsAnswerSchema,
  topEventsQuerySchema,
} from './query-schemas.js';
import { checkedRange, DEFAULT_SPAN_MS, isUtcThroughout, maxSpanOf, resolveTimeZone, rollupGrain, type SpanLimits } from './time-range.js';

export interface AnalyticsQueryDeps {
  knex: Knex;
  runtime: Runtime;
  limits: SpanLimits;
  readYourWrites: ReadYourWrites;
}

const tags = ['analytics'];
const TOP_EVENTS_DEFAULT_LIMIT = 10;
/** Errors every analytics query may answer besides 400 and 401: not an admin or no `read` scope, the warehouse not built yet, X-Min-Position timed out. */
const errors = [403, 503, 504];
/** What the queries read: `X-Min-Position` (an ingest answer's position) waits until the warehouse holds it. */
const READ_MODELS = [WAREHOUSE_PROJECTION];

/** The read side of the warehouse: counts, top events, active users (README, "Analytics queries"). */
export function analyticsQueryApi(deps: AnalyticsQueryDeps): RouteModule {
  const { knex, runtime, limits, readYourWrites } = deps;
  return routeModule('analytics-queries', [
    defineRoute({
      method: 'get', path: '/api/analytics/counts', tags, auth: 'required', apiKeyScope: 'read',
      summary: 'How often an event (or every event) happened, per minute, hour or day in a time zone',
      description:
        'Zero-filled buckets from the one holding `from` to the one holding the last instant before `to`. Longest ranges: ' +
        `minute ${limits.minuteHours} hours, hour ${limits.hourDays} days, day ${limits.dayDays} days (400 range_too_long). ` +
        'Admins of the tenant, or an API key with the read scope.',
      request: { query: countsQuerySchema, headers: minPositionHeaderSchema },
      responses: { 200: { schema: countsAnswerSchema, description: 'The buckets, oldest first' } },
      errors,
      async handler({ query, principal, req }) {
        const tenantId = analyticsTenantOf(principal);
        await readYourWrites(req, READ_MODELS);
        const timeZone = resolveTimeZone(query.tz);
        const range = checkedRange(query, DEFAULT_SPAN_MS[query.interval], maxSpanOf(query.interval, limits), runtime.now());
        const buckets = await eventCounts(knex, {
          tenantId, event: query.event, ...range, interval: query.interval, timeZone, grain: rollupGrain(range, query.interval, timeZone),
        });
        return {
          status: 200,
          body: {
            event: query.event ?? null, interval: query.interval, timeZone, from: range.from.toISOString(), to: range.to.toISOString(),
            buckets: buckets.map((bucket) => ({ start: bucket.start.toISOString(), count: bucket.count })),
          },
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/analytics/top-events', tags, auth: 'required', apiKeyScope: 'read',
      summary: 'The most frequent events in a range, most first',
      description: `Longest range ${limits.dayDays} days (ANALYTICS_MAX_SPAN_DAY_DAYS); default the last 30 days. Admins of the tenant, or an API key with the read scope.`,
      request: { query: topEventsQuerySchema, headers: minPositionHeaderSchema },
      responses: { 200: { schema: topEventsAnswerSchema, description: 'Events with their counts' } },
      errors,
      async handler({ query, principal, req }) {
        const tenantId = analyticsTenantOf(principal);
        await readYourWrites(req, READ_MODELS);
        const range = checkedRange(query, DEFAULT_SPAN_MS.day, maxSpanOf('day', limits), runtime.now());
        const items = await topEvents(knex, { tenantId, ...range, limit: query.limit ?? TOP_EVENTS_DEFAULT_LIMIT, grain: rollupGrain(range, 'total', 'UTC') });
        return { status: 200, body: { from: range.from.toISOString(), to: range.to.toISOString(), items } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/analytics/active-users', tags, auth: 'required', apiKeyScope: 'read',
      summary: 'Distinct active users per day or month in a time zone',
      description:
        'Whole days (months) in the zone, from the one holding `from` to the one holding the last instant before `to`. ' +
        `Longest ranges: day ${limits.dayDays} days, month ${limits.monthMonths} months. Admins of the tenant, or an API key with the read scope.`,
      request: { query: activeUsersQuerySchema, headers: minPositionHeaderSchema },
      responses: { 200: { schema: activeUsersAnswerSchema, description: 'One entry per period, oldest first' } },
      errors,
      async handler({ query, principal, req }) {
        const tenantId = analyticsTenantOf(principal);
        await readYourWrites(req, READ_MODELS);
        const timeZone = resolveTimeZone(query.tz);
        const range = checkedRange(query, DEFAULT_SPAN_MS[query.interval], maxSpanOf(query.interval, limits), runtime.now());
        const source = isUtcThroughout(range, timeZone) ? 'rollup' : 'facts';
        const items = await activeUsers(knex, { tenantId, interval: query.interval, ...range, timeZone, source });
        return {
          status: 200,
          body: {
            interval: query.interval, timeZone, from: range.from.toISOString(), to: range.to.toISOString(),
            items: items.map((item) => ({ period: item.period, start: item.start.toISOString(), activeUsers: item.activeUsers })),
          },
        };
      },
    }),
  ]);
}
