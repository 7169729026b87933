import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import { consoleRoutes } from '../../api/console/console-routes.js';

/** /console over HTTP: the built page and its files, client-side paths, and a missing build said plainly. */
const servers: Server[] = [];
const directories: string[] = [];

async function serve(distDirectory: string): Promise<string> {
  const app = express();
  const router = express.Router();
  consoleRoutes(distDirectory).register({ router, openapi: new OpenAPIRegistry() });
  app.use(router);
  app.use((_req, res) => res.status(404).json({ error: { code: 'route_not_found', message: 'no such route' } }));
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  servers.push(server);
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

function directory(): string {
  const path = `${mkdtempSync(join(tmpdir(), 'console-dist-'))}/`;
  directories.push(path);
  return path;
}

let built: string;
let missing: string;

beforeAll(async () => {
  const dist = directory();
  mkdirSync(`${dist}assets`);
  writeFileSync(`${dist}index.html`, '<!DOCTYPE html><html lang="en"><title>console</title><script type="module" src="/console/assets/app-1a2b.js"></script></html>');
  writeFileSync(`${dist}assets/app-1a2b.js`, 'console.log("app");');
  built = await serve(dist);
  missing = await serve(directory());
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  for (const path of directories) rmSync(path, { recursive: true, force: true });
});

describe('GET /console', () => {
  it('serves the built page with a strict Content-Security-Policy', async () => {
    const response = await fetch(`${built}/console`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await response.text()).toContain('/console/assets/app-1a2b.js');
  });

  it("answers the console's own paths with the same page, which routes on the client", async () => {
    for (const path of ['/console/', '/console/feed', '/console/oidc/google/callback']) {
      const response = await fetch(`${built}${path}?code=x`);
      expect(`${path} ${response.status}`).toBe(`${path} 200`);
      expect(await response.text()).toContain('<title>console</title>');
    }
  });

  it('serves the hashed files for good, and no page for a file that is not there', async () => {
    const asset = await fetch(`${built}/console/assets/app-1a2b.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log("app");');
    const absent = await fetch(`${built}/console/assets/gone-0000.js`);
    expect(absent.status).toBe(404);
    expect(absent.headers.get('content-type')).toMatch(/json/);
  });

  it('says how to build the console when it was not built, never a blank page', async () => {
    for (const path of ['/console', '/console/feed']) {
      const response = await fetch(`${missing}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const page = await response.text();
      expect(page).toContain('The console has not been built');
      expect(page).toContain('npm run build:console');
    }
  });
});
