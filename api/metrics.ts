import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { defineRoute } from './route.js';
import { routeModule, type RouteModule } from './route-module.js';

export interface HttpMetrics {
  readonly registry: Registry;
  /** Times each request, labelled by its route template so ids do not explode the series. */
  readonly middleware: RequestHandler;
  readonly routes: RouteModule;
}

/** A registry per application, not prom-client's global one, so apps in one process stay apart. */
export function createHttpMetrics(registry = new Registry()): HttpMetrics {
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const middleware: RequestHandler = (req, res, next) => {
    const stopTimer = duration.startTimer();
    res.once('finish', () => {
      stopTimer({ method: req.method, route: routeTemplate(req), status_code: String(res.statusCode) });
    });
    next();
  };

  const routes = routeModule('metrics', [
    defineRoute({
      method: 'get', path: '/metrics', tags: ['operations'], auth: 'none',
      summary: 'Prometheus metrics',
      responses: { 200: { schema: z.string(), contentType: 'text/plain', description: 'Metrics in the Prometheus text format' } },
      async handler() {
        return { status: 200, body: await registry.metrics(), headers: { 'Content-Type': registry.contentType } };
      },
    }),
  ]);

  return { registry, middleware, routes };
}

function routeTemplate(req: Request): string {
  const route: unknown = req.route;
  if (typeof route === 'object' && route !== null && 'path' in route && typeof route.path === 'string') {
    return `${req.baseUrl}${route.path}`;
  }
  return 'unmatched';
}
