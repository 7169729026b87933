import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../infra/config/config.js';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;
const logLines: string[] = [];

beforeAll(async () => {
  app = await startTestApp({ env: { ...GENEROUS_LIMITS_ENV, LOG_LEVEL: 'trace' }, logDestination: { write: (line: string) => void logLines.push(line) } });
  http = new HttpClient(app.url);
});
afterAll(async () => app?.stop());

describe('secrets stay out of the logs', () => {
  it('logs requests but no password, token or key, even on failures', async () => {
    const password = 'a very particular passphrase 42';
    const session = await expectJson<AuthAnswer>(await http.post('/auth/signup', { email: uniqueEmail(), password }), 201);
    await expectError(await http.post('/auth/login', { email: session.user.email, password: 'the wrong passphrase 42' }), 401, 'invalid_credentials');
    const next = await expectJson<AuthAnswer>(await http.post('/auth/refresh', { refreshToken: session.refreshToken }), 200);
    const key = await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'k' }, { bearer: next.accessToken }), 201);
    await http.get('/auth/verify', { headers: { 'x-api-key': key.key } });
    await http.get('/auth/me', { bearer: `${next.accessToken}x` });
    await http.get('/auth/oidc/nobody/callback?code=an-authorization-code&state=a-state');
    const logs = logLines.join('');
    expect(logs).toContain('/auth/signup');
    expect(logs).toContain('/auth/oidc/nobody/callback?code=[redacted]&state=[redacted]');
    for (const secret of [password, 'the wrong passphrase 42', session.accessToken, session.refreshToken, next.refreshToken, key.key, 'an-authorization-code', 'a-state']) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('OpenAPI', () => {
  it('documents the identity routes with their schemas and security', async () => {
    const document = await expectJson<{ paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown }>> }>(await http.get('/openapi.json'), 200);
    for (const path of ['/auth/signup', '/auth/login', '/auth/refresh', '/auth/logout', '/auth/me', '/auth/verify', '/auth/sessions', '/auth/sessions/{id}', '/auth/password', '/.well-known/jwks.json', '/auth/oidc/{provider}/login', '/auth/oidc/{provider}/callback', '/api/invitations', '/api/users/{id}/roles', '/api/users/{id}/roles/{role}', '/api/api-keys', '/api/api-keys/{id}']) {
      expect(Object.keys(document.paths)).toContain(path);
    }
    expect(document.paths['/auth/signup']?.post?.requestBody).toBeDefined();
    expect(document.paths['/auth/signup']?.post?.security).toBeUndefined();
    expect(document.paths['/api/api-keys']?.post?.security).toEqual([{ bearerAuth: [] }]);
  });
});

describe('identity configuration', () => {
  it('has defaults, with the issuer on the port', () => {
    const config = loadConfig({ PORT: '8080' });
    expect(config).toMatchObject({ AUTH_ISSUER: 'http://localhost:8080', AUTH_AUDIENCE: 'chronicle-api', ACCESS_TOKEN_TTL_SECONDS: 900, TRUST_PROXY: 'loopback', oidcProviders: [] });
  });

  it('stops on a listed provider with a variable missing, naming it in one line and never printing a secret', () => {
    const env = { OIDC_PROVIDERS: 'google', OIDC_GOOGLE_ISSUER: 'https://accounts.google.com', OIDC_GOOGLE_CLIENT_SECRET: 's3cret-value', OIDC_GOOGLE_REDIRECT_URI: 'https://app.example/auth/oidc/google/callback' };
    const error = (() => {
      try {
        loadConfig(env);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toBe('invalid configuration: OIDC_GOOGLE_CLIENT_ID is missing');
    expect(() => loadConfig({ ...env, OIDC_GOOGLE_CLIENT_ID: 'id', OIDC_GOOGLE_ISSUER: 'http://accounts.example' })).toThrow(/OIDC_GOOGLE_ISSUER must be an https URL/);
    expect(() => loadConfig({ ...env, OIDC_GOOGLE_CLIENT_ID: 'id' }).oidcProviders).not.toThrow();
  });

  it('reads TRUST_PROXY as express does and refuses nonsense', () => {
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
    expect(() => loadConfig({ TRUST_PROXY: 'every; body' })).toThrow(/TRUST_PROXY must be/);
    // Any client could then choose its own address for every per-IP limit.
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/^invalid configuration: TRUST_PROXY must not be true \(any client could/);
    expect(() => loadConfig({ RATE_LIMIT_LOGIN_PER_IP: '0' })).toThrow(/RATE_LIMIT_LOGIN_PER_IP must be a whole number/);
  });
});

