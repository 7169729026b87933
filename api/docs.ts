import express from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import type { RouteModule } from './route-module.js';

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

/** Swagger UI from the swagger-ui-dist package: no CDN, works offline. */
export function docsRoutes(): RouteModule {
  return {
    name: 'docs',
    register({ router }) {
      router.get('/docs', (_req, res) => {
        res.type('html').send(page);
      });
      router.get('/docs/docs-init.js', (_req, res) => {
        res.type('application/javascript').send(init);
      });
      router.use('/docs', express.static(getAbsoluteFSPath(), { index: false, maxAge: '1h' }));
    },
  };
}
