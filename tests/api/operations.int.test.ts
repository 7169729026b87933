import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../infra/logging/logger.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface ReadyBody {
  status?: string;
  checks?: { name: string; ok: boolean; detail: string }[];
  error?: { code: string; details: { name: string; ok: boolean; detail: string }[] };
}

describe('operations endpoints', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('GET /healthz says the process is up', async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 200 when PostgreSQL, migrations and the event store are fine', async () => {
    const response = await fetch(`${app.url}/readyz`);
    const body = (await response.json()) as ReadyBody;
    expect(response.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks?.map((check) => [check.name, check.ok])).toEqual([
      ['postgres', true],
      ['migrations', true],
      ['eventStore', true],
    ]);
  });

  it('GET /metrics has default metrics and the request histogram by route template', async () => {
    await fetch(`${app.url}/healthz`);
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} [1-9]/);
  });

  it('GET /openapi.json is an OpenAPI 3 document with the health endpoints and the error schema', async () => {
    const response = await fetch(`${app.url}/openapi.json`);
    const document = (await response.json()) as { openapi: string; info: { title: string }; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.title).toBe('Chronicle');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']));
    expect(document.components.schemas).toHaveProperty('ErrorResponse');
  });

  it('GET /docs serves Swagger UI from the package, not a CDN', async () => {
    const page = await fetch(`${app.url}/docs`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\//);
    const bundle = await fetch(`${app.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    await bundle.arrayBuffer();
  });
});

describe('readiness with an unhealthy event store', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      // A real store whose pool is closed: health() reports it, as it would a lost connection.
      eventStore: async (url) => {
        const store = await PostgresEventStore.connect({ connectionString: url, logger: createLogger('silent') });
        await store.close();
        return store;
      },
    });
  });
  afterAll(async () => {
    await app?.stop().catch(() => undefined);
  });

  it('GET /readyz is 503 with each check in the details', async () => {
    const response = await fetch(`${app.url}/readyz`);
    const body = (await response.json()) as ReadyBody;
    expect(response.status).toBe(503);
    expect(body.error?.code).toBe('not_ready');
    const byName = Object.fromEntries((body.error?.details ?? []).map((check) => [check.name, check.ok]));
    expect(byName).toEqual({ postgres: true, migrations: true, eventStore: false });
  });

  it('GET /healthz still answers 200: the process itself is fine', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });
});
