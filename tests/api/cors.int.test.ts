import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../infra/config/config.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const LISTED = 'https://app.example.com';
const ALSO_LISTED = 'http://localhost:5173';
const UNLISTED = 'https://evil.example';

let app: TestApp;
let sameOriginOnly: TestApp;

beforeAll(async () => {
  [app, sameOriginOnly] = await Promise.all([startTestApp({ env: { CORS_ORIGINS: `${LISTED}, ${ALSO_LISTED}` } }), startTestApp()]);
});
afterAll(async () => {
  await Promise.all([app?.stop(), sameOriginOnly?.stop()]);
});

/** What a browser sends before a cross-origin POST with a bearer token and a JSON body. */
function preflight(base: string, origin: string): Promise<Response> {
  return fetch(`${base}/api/api-keys`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
}

describe('CORS_ORIGINS', () => {
  it('answers a preflight from a listed origin with what it may send', async () => {
    for (const origin of [LISTED, ALSO_LISTED]) {
      const response = await preflight(app.url, origin);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('authorization'));
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('content-type'));
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('vary')).toMatch(/origin/i);
    }
  });

  it('lets a listed origin send the write and read-your-writes headers, and read whether an answer was replayed', async () => {
    const response = await fetch(`${app.url}/api/api-keys`, {
      method: 'OPTIONS',
      headers: { origin: LISTED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'idempotency-key, if-match, x-min-position' },
    });
    const allowed = response.headers.get('access-control-allow-headers')?.toLowerCase() ?? '';
    for (const header of ['idempotency-key', 'if-match', 'x-min-position']) expect(allowed).toContain(header);
    const ok = await fetch(`${app.url}/healthz`, { headers: { origin: LISTED } });
    expect(ok.headers.get('access-control-expose-headers')).toContain('Idempotent-Replayed');
  });

  it("lets a listed origin's script read an answer and its request id, errors included", async () => {
    const ok = await fetch(`${app.url}/healthz`, { headers: { origin: LISTED } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(ok.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    const refused = await fetch(`${app.url}/api/api-keys`, { headers: { origin: LISTED } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(LISTED);
  });

  it('gives any other origin no CORS header, preflight or not', async () => {
    const response = await preflight(app.url, UNLISTED);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-methods')).toBeNull();
    const simple = await fetch(`${app.url}/healthz`, { headers: { origin: UNLISTED } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    expect(simple.headers.get('vary')).toMatch(/origin/i);
  });

  it('stays same-origin by default', async () => {
    const response = await preflight(sameOriginOnly.url, LISTED);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(`${sameOriginOnly.url}/healthz`, { headers: { origin: LISTED } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses an entry that is not an origin at start-up', () => {
    for (const bad of ['https://app.example.com/', 'app.example.com', 'https://app.example.com/path', '*', 'null']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad })).toThrow(ConfigError);
    }
    expect(loadConfig({ CORS_ORIGINS: `${LISTED},${ALSO_LISTED}` }).CORS_ORIGINS).toEqual([LISTED, ALSO_LISTED]);
  });
});
