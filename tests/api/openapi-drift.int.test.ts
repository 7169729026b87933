import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Application } from 'express';
import { openApiPathOf } from '../../api/route.js';
import { routeModule } from '../../api/route-module.js';
import { defineRoute } from '../../api/route.js';
import { GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The express routes and /openapi.json cannot drift apart: every route the
 * running API serves is documented with its method, and every documented
 * operation reaches a route (never the catch-all `route_not_found`).
 */
interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: RouterLayer[] };
}

/** Express' own record of what it serves, walked through mounted routers. */
function servedRoutes(layers: readonly RouterLayer[]): string[] {
  return layers.flatMap((layer) => {
    if (layer.route) {
      const { path, methods } = layer.route;
      return Object.keys(methods).filter((method) => method !== '_all').map((method) => `${method.toUpperCase()} ${openApiPathOf(path)}`);
    }
    return layer.handle.stack ? servedRoutes(layer.handle.stack) : [];
  });
}

// The probe hands the test the express application serving it; it is declared like any route, so it is documented too.
let served: Application | undefined;
const probe = routeModule('drift-probe', [
  defineRoute({
    method: 'get', path: '/test/drift-probe', tags: ['test'], summary: 'Hands the test its express application', auth: 'none',
    responses: { 204: { description: 'Captured' } },
    handler({ req }) {
      served = req.app;
      return { status: 204 };
    },
  }),
]);

let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;
let documented: string[];

beforeAll(async () => {
  app = await startTestApp({ env: GENEROUS_LIMITS_ENV, routeModules: [probe] });
  http = new HttpClient(app.url);
  admin = await http.signup();
  expect((await http.get('/test/drift-probe')).status).toBe(204);
  const document = (await (await http.get('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
  documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
}, 60_000);
afterAll(async () => app?.stop());

describe('express routes and /openapi.json', () => {
  it('every route express serves is documented, with its method', () => {
    const routes = servedRoutes((served as unknown as { router: { stack: RouterLayer[] } }).router.stack);
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((route) => !documented.includes(route))).toEqual([]);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it('every documented operation reaches a route, signed in or not', async () => {
    const unreached: string[] = [];
    for (const operation of documented) {
      const [method = 'GET', path = '/'] = operation.split(' ');
      const concrete = path.replace(/\{[^}]+\}/g, 'x');
      for (const bearer of [undefined, admin.accessToken]) {
        const response = await http.call(method, concrete, bearer ? { bearer } : {});
        // An event stream (GET /feed/sse) never ends: its status answers the question, its body is left unread.
        const stream = response.headers.get('content-type')?.startsWith('text/event-stream') === true;
        const text = stream ? '' : await response.text();
        if (stream) await response.body?.cancel();
        if (response.status === 404 && text.includes('"route_not_found"')) unreached.push(`${operation} (${bearer ? 'signed in' : 'anonymous'})`);
      }
    }
    expect(unreached).toEqual([]);
  });
});
