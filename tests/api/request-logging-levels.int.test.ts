import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LevelWithSilent } from 'pino';
import { Registry } from 'prom-client';
import { createHttpApp } from '../../api/http-app.js';
import type { RouteModule } from '../../api/route-module.js';
import { createLogger } from '../../infra/logging/logger.js';
import { parseLogLines } from '../support/log-lines.js';

/**
 * The request log costs nothing where it prints nothing: at a level above
 * error no request gets child loggers (built with the request serialised
 * into them, then thrown away), while each still gets its id; at info each
 * request's record is written as before.
 */
const probe: RouteModule = {
  name: 'logging-probe',
  public: true,
  register({ router }) {
    router.get('/test/logging-probe', (req, res) => void res.json({ childLogger: 'log' in req && req.log !== undefined, id: req.id }));
  },
};

const servers: Server[] = [];
async function serve(level: LevelWithSilent, written: string[]): Promise<string> {
  const app = createHttpApp({
    logger: createLogger(level, { write: (line: string) => void written.push(line) }),
    bodyLimit: '1mb',
    readinessChecks: [],
    readinessTimeoutMs: 1_000,
    routeModules: [probe],
    documentation: false,
    version: 'test',
    metrics: new Registry(),
    trustProxy: false,
    corsOrigins: [],
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let silent: string;
let info: string;
const silentLines: string[] = [];
const infoLines: string[] = [];
beforeAll(async () => {
  [silent, info] = await Promise.all([serve('silent', silentLines), serve('info', infoLines)]);
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe('request logging by level', () => {
  it('at silent, builds no child logger, yet gives and echoes the request id', async () => {
    const given = await fetch(`${silent}/test/logging-probe`, { headers: { 'X-Request-Id': 'given-id-1' } });
    expect(given.headers.get('x-request-id')).toBe('given-id-1');
    expect(await given.json()).toEqual({ childLogger: false, id: 'given-id-1' });
    const made = await fetch(`${silent}/test/logging-probe`);
    const body = (await made.json()) as { id: string };
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.headers.get('x-request-id')).toBe(body.id);
    expect(silentLines).toEqual([]);
  });

  it('at info, gives the request its child logger and writes its record', async () => {
    const response = await fetch(`${info}/test/logging-probe`, { headers: { 'X-Request-Id': 'given-id-2' } });
    expect(await response.json()).toEqual({ childLogger: true, id: 'given-id-2' });
    const deadline = Date.now() + 5_000;
    const records = () => parseLogLines(infoLines.join('')).filter((line) => line.record.requestId === 'given-id-2');
    while (records().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(records().map((line) => line.record.level)).toEqual([30]);
  });
});
