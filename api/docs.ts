import express from 'express';
// The path helper alone: the package's main module also loads the whole browser bundle (megabytes of JS) into the server.
import getAbsoluteFSPath from 'swagger-ui-dist/absolute-path.js';
import { z } from 'zod';
import { defineRoute } from './route.js';
import { routeModule, type RouteModule } from './route-module.js';

const page = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>Chronicle API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/docs-init.js"></script>
  </body>
</html>
`;

// A file rather than an inline script, so a strict Content-Security-Policy can be added later.
const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/**
 * Swagger UI from the swagger-ui-dist package: no CDN, works offline. The
 * page is a route (documented); the files it loads are assets, not API
 * operations, so they are served by middleware under /docs/ and stay out
 * of /openapi.json.
 */
export function docsRoutes(): RouteModule {
  const pageRoutes = routeModule('docs', [
    defineRoute({
      method: 'get', path: '/docs', tags: ['operations'], auth: 'none',
      summary: 'This API in Swagger UI',
      responses: { 200: { schema: z.string(), contentType: 'text/html', description: 'The page' } },
      handler: () => ({ status: 200, body: page }),
    }),
  ]);
  const assets = express.static(getAbsoluteFSPath(), { index: false, maxAge: '1h' });
  return {
    ...pageRoutes,
    register(context) {
      pageRoutes.register(context);
      context.router.use('/docs', (req, res, next) => {
        if ((req.method === 'GET' || req.method === 'HEAD') && req.path === '/docs-init.js') {
          res.type('application/javascript').send(init);
          return;
        }
        assets(req, res, next);
      });
    },
  };
}
