import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { Runtime } from '../../commands/runtime.js';
import type { Logger } from '../../infra/logging/logger.js';
import { ReadModelUnavailableError } from '../../projections/engine/errors.js';
import { WAREHOUSE_PROJECTION } from '../../projections/warehouse/warehouse-projection.js';
import { openFactsExport, type ExportFormat, type FactsExportSession } from '../../projections/warehouse/queries/export-facts.js';
import { Unavailable } from '../errors.js';
import { minPositionHeaderSchema, type ReadYourWrites } from '../read-your-writes.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { analyticsTenantOf } from './analytics-reader.js';
import { ExportSlots } from './export-slots.js';
import { exportQuerySchema } from './query-schemas.js';
import { checkedRange, DEFAULT_SPAN_MS, maxSpanOf, type SpanLimits } from './time-range.js';

export interface AnalyticsExportDeps {
  session: FactsExportSession;
  runtime: Runtime;
  limits: SpanLimits;
  /** ANALYTICS_EXPORT_CONCURRENCY. */
  concurrency: number;
  logger: Logger;
  readYourWrites: ReadYourWrites;
}

const CONTENT_TYPES: Record<ExportFormat, string> = { ndjson: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' };

/**
 * `GET /api/analytics/export`: the tenant's facts in a range, streamed as
 * PostgreSQL produces them. The answer starts once the first bytes are there
 * (an error before that is an ordinary error answer); an error after it cuts
 * the stream short, which the client sees as a truncated transfer (the
 * chunked encoding's last chunk never comes), never as a complete file.
 */
export function analyticsExportApi(deps: AnalyticsExportDeps): RouteModule {
  const slots = new ExportSlots(deps.concurrency);
  const log = deps.logger.child({ component: 'analytics-export' });
  return routeModule('analytics-export', [
    defineRoute({
      method: 'get', path: '/api/analytics/export', tags: ['analytics'], auth: 'required', apiKeyScope: 'read',
      summary: 'Every fact of the tenant in a range, streamed as NDJSON or CSV',
      description:
        `Oldest first. Longest range ${deps.limits.exportDays} days (ANALYTICS_EXPORT_MAX_SPAN_DAYS); default the last 30 days. ` +
        'CSV has a header line and `properties` as JSON text. Admins of the tenant, or an API key with the read scope.',
      request: { query: exportQuerySchema, headers: minPositionHeaderSchema },
      responses: {
        200: {
          description: 'One JSON object a line (`format=ndjson`), or CSV (`format=csv`, text/csv)',
          schema: z.string(),
          contentType: 'application/x-ndjson',
        },
      },
      errors: [403, 503, 504],
      async handler({ query, principal, req, res }) {
        const tenantId = analyticsTenantOf(principal);
        await deps.readYourWrites(req, [WAREHOUSE_PROJECTION]);
        const range = checkedRange(query, DEFAULT_SPAN_MS.day, maxSpanOf('export', deps.limits), deps.runtime.now(), 'exact');
        const free = slots.take();
        let running: Awaited<ReturnType<typeof openFactsExport>> | undefined;
        try {
          running = await openFactsExport(deps.session, { tenantId, ...range, format: query.format }).catch((error: unknown) => {
            log.warn({ err: error }, 'analytics export: no PostgreSQL session');
            throw new Unavailable('the warehouse database cannot be reached', { code: 'database_unavailable' });
          });
          const chunks = running.rows[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
          const first = await chunks.next().catch((error: unknown) => {
            throw ReadModelUnavailableError.translate('warehouse', error);
          });
          res.status(200);
          res.set({
            'Content-Type': CONTENT_TYPES[query.format],
            'Content-Disposition': `attachment; filename="analytics-${range.from.toISOString().slice(0, 10)}-${range.to.toISOString().slice(0, 10)}.${query.format}"`,
            'Cache-Control': 'no-store',
          });
          res.flushHeaders();
          await pipeline(rest(first, chunks), res).catch((error: unknown) => {
            // The client leaving is its own business; anything else cut a stream short and is worth a line.
            if (!req.destroyed && !res.destroyed) log.warn({ err: error }, 'analytics export cut short');
            res.destroy();
          });
        } finally {
          running?.close();
          free();
        }
      },
    }),
  ]);
}

async function* rest(first: IteratorResult<Buffer>, chunks: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (first.done) return;
  yield first.value;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return;
    yield next.value;
  }
}
