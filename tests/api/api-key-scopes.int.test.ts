import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { authMigrations } from '../../auth/schema.js';
import { API_KEY_SCOPES, scopesAllow, type ApiKeyScope } from '../../domain/tenant/api-key-scopes.js';
import { hashApiKey, newApiKey } from '../../auth/api-keys/api-key-secret.js';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { FeedSocket, UpgradeRefused } from '../support/feed-socket.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface IssuedKey {
  id: string;
  key: string;
  scopes: ApiKeyScope[];
}

/** One operation of /openapi.json that asks who is calling, with the scope an API key needs there. */
interface Operation {
  method: string;
  path: string;
  scope: ApiKeyScope;
}

let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;
let operations: Operation[];

beforeAll(async () => {
  app = await startTestApp({ env: { ...GENEROUS_LIMITS_ENV, API_KEY_DEFAULT_RATE_LIMIT_PER_MINUTE: '100000' } });
  http = new HttpClient(app.url);
  admin = await http.signup();
  operations = await authenticatedOperations();
}, 60_000);
afterAll(async () => app?.stop());

async function issue(body: Record<string, unknown>): Promise<IssuedKey> {
  return expectJson<IssuedKey>(await http.post('/api/api-keys', body, { bearer: admin.accessToken }), 201);
}

/** Every documented route that authenticates: the walk finds new routes by itself, none is hand-picked. */
async function authenticatedOperations(): Promise<Operation[]> {
  const document = await expectJson<{ paths: Record<string, Record<string, { 'x-api-key-scope'?: ApiKeyScope }>> }>(await http.get('/openapi.json'), 200);
  const found: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const scope = operation['x-api-key-scope'];
      if (scope !== undefined) found.push({ method: method.toUpperCase(), path, scope });
    }
  }
  return found;
}

/** The path with every `{parameter}` filled in: the scope is checked before the parameters are even read. */
function concrete(path: string): string {
  return path.replace(/\{[^}]+\}/g, () => randomUUID());
}

async function call(operation: Operation, key: string): Promise<Response> {
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(operation.method);
  return http.call(operation.method, concrete(operation.path), { headers: { 'x-api-key': key }, ...(hasBody ? { body: {} } : {}) });
}

/** The answers a key gets on every route its scopes do not cover: each must be 403 insufficient_scope. */
async function refusalsOutsideScopes(key: IssuedKey): Promise<{ route: string; status: number; code: string | undefined }[]> {
  const answers = [];
  for (const operation of operations.filter((candidate) => !scopesAllow(key.scopes, candidate.scope))) {
    const response = await call(operation, key.key);
    const body = (await response.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
    answers.push({ route: `${operation.method} ${operation.path}`, status: response.status, code: body?.error?.code });
  }
  return answers;
}

describe('API key scopes', () => {
  it('walks enough of the API to mean something: the identity, content and admin routes are all in the list', () => {
    const paths = operations.map((operation) => operation.path);
    expect(paths).toEqual(expect.arrayContaining(['/api/api-keys', '/api/posts', '/api/collections/{id}', '/auth/verify', '/api/admin/projections']));
    expect(operations.length).toBeGreaterThan(30);
  });

  it('lists keys with their scopes, once each and in one order; an unknown scope or none at all is refused', async () => {
    const ingest = await issue({ name: 'web page', scopes: ['ingest'] });
    const both = await issue({ name: 'dashboard', scopes: ['read', 'ingest', 'read'] });
    expect(ingest.scopes).toEqual(['ingest']);
    expect(both.scopes).toEqual(['ingest', 'read']);
    const listed = await expectJson<{ items: IssuedKey[] }>(await http.get('/api/api-keys', { bearer: admin.accessToken }), 200);
    expect(listed.items.find((item) => item.id === ingest.id)?.scopes).toEqual(['ingest']);
    expect(listed.items.find((item) => item.id === both.id)?.scopes).toEqual(['ingest', 'read']);
    expect((await expectJson<IssuedKey>(await http.get(`/api/api-keys/${both.id}`, { bearer: admin.accessToken }), 200)).scopes).toEqual(['ingest', 'read']);
    await expectError(await http.post('/api/api-keys', { name: 'x', scopes: ['write'] }, { bearer: admin.accessToken }), 422, 'validation_failed');
    await expectError(await http.post('/api/api-keys', { name: 'x', scopes: [] }, { bearer: admin.accessToken }), 422, 'validation_failed');
  });

  it('gives an ingest-only key 403 insufficient_scope on every route that is not ingest, the live feed included', async () => {
    const key = await issue({ name: 'write key', scopes: ['ingest'] });
    const answers = await refusalsOutsideScopes(key);
    expect(answers.length).toBeGreaterThan(30);
    expect(answers.filter((answer) => answer.status !== 403 || answer.code !== 'insufficient_scope')).toEqual([]);

    const sse = await http.get('/feed/sse', { headers: { 'x-api-key': key.key } });
    await expectError(sse, 403, 'insufficient_scope');
    const refused = await FeedSocket.open(app.url, { headers: { 'x-api-key': key.key } }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UpgradeRefused);
    expect((refused as UpgradeRefused).status).toBe(403);
  });

  it('gives a read-only key 403 insufficient_scope wherever read is not enough', async () => {
    const key = await issue({ name: 'reader', scopes: ['read'] });
    const answers = await refusalsOutsideScopes(key);
    expect(answers.filter((answer) => answer.status !== 403 || answer.code !== 'insufficient_scope')).toEqual([]);
  });

  it('leaves a key issued without scopes, and an admin key, every power an API key had', async () => {
    const unscoped = await issue({ name: 'as before' });
    expect(unscoped.scopes).toEqual([...API_KEY_SCOPES]);
    const adminKey = await issue({ name: 'admin', scopes: ['admin'] });
    for (const key of [unscoped, adminKey]) {
      for (const operation of operations) {
        const response = await call(operation, key.key);
        const body = (await response.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
        expect(`${operation.method} ${operation.path} ${body?.error?.code ?? response.status}`).not.toMatch(/insufficient_scope$/);
      }
    }
  });

  it('keeps a key issued before scopes existed working with every scope: its row and its ApiKeyIssued v1 read as all three', async () => {
    const { knex, eventStore } = app.services;
    const keyId = randomUUID();
    const { key, displayPrefix } = newApiKey();
    const tenantId = admin.user.tenantId;
    // The log as version 1 wrote it: no scopes.
    const eventId = randomUUID();
    await eventStore.appendToStream(`tenant-${tenantId}`, [
      {
        id: eventId,
        type: 'ApiKeyIssued',
        data: { keyId, name: 'from before scopes', displayPrefix, rateLimitPerMinute: 100000, issuedBy: admin.user.id },
        metadata: {
          eventId,
          correlationId: eventId,
          causationId: eventId,
          actor: { type: 'user', id: admin.user.id },
          tenantId,
          requestId: null,
          occurredAt: '2026-06-01T12:00:00.000Z',
          schemaVersion: 1,
        },
      },
    ]);
    // The table as it was before 0230, with the old row in it; then the migration runs over it.
    const migration = authMigrations.find((candidate) => candidate.name === '0230_auth_api_key_scopes')!;
    await migration.down(knex);
    await knex('auth_api_keys').insert({
      id: keyId,
      tenant_id: tenantId,
      name: 'from before scopes',
      display_prefix: displayPrefix,
      key_hash: hashApiKey(key),
      rate_limit_per_minute: 100000,
      created_by: admin.user.id,
      created_at: new Date('2026-06-01T12:00:00.000Z'),
    });
    await migration.up(knex);

    expect(await expectJson(await http.get('/auth/verify', { headers: { 'x-api-key': key } }), 200)).toEqual({ kind: 'apiKey', keyId, tenantId, scopes: [...API_KEY_SCOPES] });
    const listed = await expectJson<{ items: IssuedKey[] }>(await http.get('/api/api-keys', { bearer: admin.accessToken }), 200);
    expect(listed.items.find((item) => item.id === keyId)?.scopes).toEqual([...API_KEY_SCOPES]);
    // The tenant aggregate folds the version 1 event (upcast, so its schema with scopes accepts it) and revokes the key.
    expect((await http.delete(`/api/api-keys/${keyId}`, { bearer: admin.accessToken })).status).toBe(204);
    await expectError(await http.get('/auth/verify', { headers: { 'x-api-key': key } }), 401, 'invalid_api_key');
    // New rows must say their scopes: the migration leaves no default behind.
    await expect(
      knex('auth_api_keys').insert({ id: randomUUID(), tenant_id: tenantId, name: 'n', display_prefix: 'chk_x', key_hash: randomUUID(), rate_limit_per_minute: 1, created_by: 'u', created_at: new Date() }),
    ).rejects.toThrow(/scopes/);
  });
});
