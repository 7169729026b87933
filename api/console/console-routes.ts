import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';

/** Where `npm run build:console` (run by the package's `prepare`) writes the page. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/**
 * The page and what it loads come from this origin only; the feed is a
 * WebSocket to this origin (`'self'` covers ws: and wss: on it).
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const missingBuildPage = `<!DOCTYPE html>
<html lang="en">
  <head><meta charset="UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Chronicle console: not built</title></head>
  <body>
    <main>
      <h1>The console has not been built</h1>
      <p>This installation has no <code>console/dist</code>. <code>npm install</code> builds it (the package's
      <code>prepare</code> script); to build it now, run <code>npm run build:console</code> and reload this page.</p>
      <p>The API itself works: see <a href="/docs">/docs</a>.</p>
    </main>
  </body>
</html>
`;

/**
 * /console: the operator console, a single-page application using only the
 * public API and the feed. `GET /console` is documented; the files it loads
 * and its client-side paths (`/console/feed`, ...) are served by middleware,
 * like Swagger UI's assets, and stay out of /openapi.json. A missing build
 * answers 404 (this installation has no console; nothing is down) with a page
 * that says how to build it, never a blank page.
 */
export function consoleRoutes(distDirectory: string = CONSOLE_DIST): RouteModule {
  const indexFile = `${distDirectory}index.html`;
  // Read per request while missing, so a build made after the start is picked up without a restart.
  let index: string | undefined;
  const readIndex = (): string | undefined => (index ??= existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : undefined);

  const sendPage = (res: Response) => {
    const page = readIndex();
    res.set({ 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
    if (page === undefined) return res.status(404).type('html').send(missingBuildPage);
    return res.status(200).type('html').send(page);
  };

  const pageRoutes = routeModule('console', [
    defineRoute({
      method: 'get', path: '/console', tags: ['operations'], auth: 'none',
      summary: 'The operator console (a web page): sign in, live feed, projections, administration',
      description: '404 with an HTML page naming `npm run build:console` when the console was not built.',
      responses: {
        200: { schema: z.string(), contentType: 'text/html', description: 'The page' },
        404: { schema: z.string(), contentType: 'text/html', description: 'Not built: a page saying how to build it' },
      },
      handler: ({ res }) => {
        sendPage(res);
      },
    }),
  ]);
  // Vite names its files by content hash: they never change under one name.
  const assets = express.static(distDirectory, { index: false, immutable: true, maxAge: '1y', fallthrough: true });
  return {
    ...pageRoutes,
    register(context) {
      pageRoutes.register(context);
      context.router.use('/console', (req: Request, res: Response, next: NextFunction) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') return next();
        if (req.path.startsWith('/assets/')) return assets(req, res, () => next());
        // Any other path is one of the application's own pages (`/console/feed`): the same document, which routes on the client.
        if (req.path === '/' || !req.path.includes('.')) return sendPage(res);
        return next();
      });
    },
  };
}
