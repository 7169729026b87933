import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RequestHandler } from 'express';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { createHttpApp } from '../../api/http-app.js';
import { defineRoute } from '../../api/route.js';
import { routeModule, type RouteModule } from '../../api/route-module.js';
import { literalPrefixes } from '../../api/route-prefixes.js';
import { createLogger } from '../../infra/logging/logger.js';

/**
 * Each module's router is entered only by the requests its paths can
 * answer (api/route-prefixes.ts), and express' matching is otherwise what it
 * was: without regard to case, with or without a trailing slash, HEAD and
 * OPTIONS answered for a GET route, 404 for what no module has.
 */
let server: Server;
let base: string;
const entered: string[] = [];

/** Counts every request its router sees, as any router-level middleware would run. */
const alphaModule: RouteModule = {
  name: 'alpha',
  public: true,
  paths: ['/alpha/:id'],
  register({ router }) {
    const count: RequestHandler = (req, _res, next) => {
      entered.push(req.path);
      next();
    };
    router.use(count);
    router.get('/alpha/:id', (req, res) => void res.json({ alpha: req.params['id'] }));
  },
};

const betaModule = routeModule('beta', [
  defineRoute({
    method: 'get', path: '/beta/things/:name', tags: ['test'], summary: 'A thing', auth: 'none',
    request: { params: z.object({ name: z.string() }) },
    responses: { 200: { schema: z.object({ name: z.string() }), description: 'The thing' } },
    handler: ({ params }) => ({ status: 200, body: { name: params.name } }),
  }),
  defineRoute({
    method: 'get', path: '/beta', tags: ['test'], summary: 'The list', auth: 'none',
    responses: { 200: { schema: z.object({ list: z.boolean() }), description: 'The list' } },
    handler: () => ({ status: 200, body: { list: true } }),
  }),
]);

beforeAll(async () => {
  const app = createHttpApp({
    logger: createLogger('silent'),
    bodyLimit: '1mb',
    readinessChecks: [],
    readinessTimeoutMs: 1_000,
    routeModules: [alphaModule, betaModule],
    documentation: false,
    version: 'test',
    metrics: new Registry(),
    trustProxy: false,
    corsOrigins: [],
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

describe('module routers', () => {
  it('are entered only by requests under their paths', async () => {
    entered.length = 0;
    const response = await fetch(`${base}/beta/things/x`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'x' });
    expect(entered).toEqual([]);
    await (await fetch(`${base}/alpha/7`)).arrayBuffer();
    expect(entered).toEqual(['/alpha/7']);
  });

  it('still match as express does: any case, a trailing slash, HEAD and OPTIONS of a GET route', async () => {
    for (const [path, body] of [['/BETA/Things/x', { name: 'x' }], ['/beta/things/x/', { name: 'x' }], ['/Beta/', { list: true }], ['/ALPHA/9', { alpha: '9' }]] as const) {
      const response = await fetch(`${base}${path}`);
      expect({ path, status: response.status, body: await response.json() }).toEqual({ path, status: 200, body });
    }
    const head = await fetch(`${base}/beta/things/x`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const options = await fetch(`${base}/beta/things/x`, { method: 'OPTIONS' });
    expect(options.status).toBe(200);
    expect(options.headers.get('allow')).toContain('GET');
  });

  it('leave what none of them answers to the 404 of an unknown route', async () => {
    for (const path of ['/gamma', '/betamax', '/beta/other/x', '/']) {
      const response = await fetch(`${base}${path}`);
      expect({ path, status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code }).toEqual({ path, status: 404, code: 'route_not_found' });
    }
  });
});

describe('literalPrefixes', () => {
  it('keeps what comes before the first parameter, lower case, the shortest of those sharing a start', () => {
    expect(literalPrefixes(['/api/Posts/:id', '/api/posts', '/api/posts/:id/history', '/auth/login'])).toEqual(['/api/posts', '/auth/login']);
    expect(literalPrefixes(['/x/:a/y', '/'])).toEqual(['/']);
  });
});
