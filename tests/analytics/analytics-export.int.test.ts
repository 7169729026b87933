import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { parseCsv } from '../support/csv.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { maxBytesInFlightPerConnection } from '../support/socket-buffers.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createWarehouseTables } from '../support/warehouse-seed.js';

/** Far more than any one read of the socket: about 10 MB of NDJSON. */
const ROWS = 30_000;
const RANGE = 'from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z';
const NOTE = 'a,b "quoted"\nsecond line \\ and ünïcode';
/**
 * The backpressure test's export, of a tenant of its own: more bytes than the two TCP connections it
 * crosses (PostgreSQL to the app, the app to the client) can hold in their kernel buffers at the most
 * (read from /proc), plus room for every Node stream buffer on the way (each a highWaterMark of 16 to
 * 64 KB). A smaller export can fit whole in the buffers of an idle machine, and PostgreSQL never waits.
 */
const BULK_ROWS = 2_000;
const BULK_BYTES = 2 * maxBytesInFlightPerConnection() + 16 * 1024 * 1024;
const BULK_PADDING = Math.ceil(BULK_BYTES / BULK_ROWS);

let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;
let otherAdmin: AuthAnswer;
let bulkAdmin: AuthAnswer;

beforeAll(async () => {
  // One export at a time, so a slot held by a connection not released shows as 503. An `api` app: the
  // facts are written straight into the warehouse's tables (30,000 through the log would take far longer).
  app = await startTestApp({ env: { ...GENEROUS_LIMITS_ENV, ANALYTICS_EXPORT_CONCURRENCY: '1' } });
  http = new HttpClient(app.url);
  admin = await http.signup();
  otherAdmin = await http.signup();
  bulkAdmin = await http.signup();
  const { knex } = app.services;
  await createWarehouseTables(knex);
  await knex.raw(
    `INSERT INTO warehouse.facts (tenant_id, message_id, type, event, user_id, anonymous_id, occurred_at, received_at, source, properties, position)
     SELECT ?::uuid, 'm-' || lpad(i::text, 6, '0'), 'track', 'e' || (i % 7), CASE WHEN i % 10 = 0 THEN NULL ELSE 'u' || (i % 100) END, 'anon-' || i,
            '2026-11-01T00:00:00Z'::timestamptz + i * interval '1 second', '2026-11-01T00:00:00Z'::timestamptz + i * interval '1 second' + interval '250 milliseconds',
            'segment', jsonb_build_object('i', i, 'note', ?::text), i
     FROM generate_series(1, ?) AS i`,
    [admin.user.tenantId, NOTE, ROWS],
  );
  await knex.raw(
    `INSERT INTO warehouse.facts (tenant_id, message_id, type, event, occurred_at, received_at, source, properties, position)
     VALUES (?::uuid, 'other-1', 'track', 'theirs', '2026-11-01T01:00:00Z', '2026-11-01T01:00:00Z', 'segment', '{}', 1)`,
    [otherAdmin.user.tenantId],
  );
  await knex.raw(
    `INSERT INTO warehouse.facts (tenant_id, message_id, type, event, occurred_at, received_at, source, properties, position)
     SELECT ?::uuid, 'bulk-' || i, 'track', 'bulk', '2026-11-01T00:00:00Z'::timestamptz + i * interval '1 second',
            '2026-11-01T00:00:00Z'::timestamptz + i * interval '1 second', 'segment', jsonb_build_object('padding', repeat('x', ?)), i
     FROM generate_series(1, ?) AS i`,
    [bulkAdmin.user.tenantId, BULK_PADDING, BULK_ROWS],
  );
});
afterAll(async () => app?.stop());

function messageId(i: number): string {
  return `m-${String(i).padStart(6, '0')}`;
}

/** The row seeded as number i, as the export writes it (the columns in the export's order). */
function expectedRow(i: number): Record<string, unknown> {
  const at = new Date(Date.UTC(2026, 10, 1) + i * 1000);
  return {
    messageId: messageId(i), type: 'track', event: `e${i % 7}`, userId: i % 10 === 0 ? null : `u${i % 100}`, anonymousId: `anon-${i}`,
    occurredAt: at.toISOString(), receivedAt: new Date(at.getTime() + 250).toISOString(), sentTimestamp: null,
    browser: null, os: null, device: null, country: null, source: 'segment', keyId: null, position: String(i), properties: { i, note: NOTE },
  };
}

async function exportBackends(): Promise<Array<{ state: string; wait_event: string | null }>> {
  const result = await app.services.knex.raw<{ rows: Array<{ state: string; wait_event: string | null }> }>(
    `SELECT state, wait_event FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'chronicle-export'`,
  );
  return result.rows;
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('GET /api/analytics/export', () => {
  it('streams every fact of the range as NDJSON, oldest first, in many chunks', async () => {
    const response = await http.get(`/api/analytics/export?${RANGE}&format=ndjson`, { bearer: admin.accessToken });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      chunks += 1;
      text += decoder.decode(chunk, { stream: true });
    }
    expect(chunks).toBeGreaterThan(1);
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(ROWS);
    // Each line against the row it must be, compared as canonical JSON text (one deep equality per row would take seconds).
    const wrong = lines.findIndex((line, index) => JSON.stringify(JSON.parse(line)) !== JSON.stringify(expectedRow(index + 1)));
    expect(wrong === -1 ? 'every row as expected' : { line: wrong, got: lines[wrong], expected: expectedRow(wrong + 1) }).toBe('every row as expected');
  });

  it('streams CSV with a header, quoting what needs it, nulls as empty fields', async () => {
    const response = await http.get(`/api/analytics/export?from=2026-11-01T00:00:00Z&to=2026-11-01T00:00:11Z&format=csv`, { bearer: admin.accessToken });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [header, ...rows] = parseCsv(await response.text());
    expect(header).toEqual(['messageId', 'type', 'event', 'userId', 'anonymousId', 'occurredAt', 'receivedAt', 'sentTimestamp', 'browser', 'os', 'device', 'country', 'source', 'keyId', 'position', 'properties']);
    expect(rows.map((row) => row[0])).toEqual(Array.from({ length: 10 }, (_, index) => messageId(index + 1)));
    const tenth = Object.fromEntries(header!.map((name, column) => [name, rows[9]![column]]));
    expect(tenth).toMatchObject({ messageId: messageId(10), userId: '', occurredAt: '2026-11-01T00:00:10.000Z', position: '10' });
    expect(JSON.parse(tenth.properties!)).toEqual({ i: 10, note: NOTE });
  });

  it("exports only the caller's tenant", async () => {
    const theirs = await http.get(`/api/analytics/export?${RANGE}`, { bearer: otherAdmin.accessToken });
    const lines = (await theirs.text()).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { messageId: string }).messageId)).toEqual(['other-1']);
  });

  it('refuses bad ranges and formats, members, guests and ingest-only keys; a read key exports', async () => {
    await expectError(await http.get('/api/analytics/export?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', { bearer: admin.accessToken }), 400, 'invalid_range');
    await expectError(await http.get('/api/analytics/export?from=2020-01-01T00:00:00Z&to=2026-11-01T00:00:00Z', { bearer: admin.accessToken }), 400, 'range_too_long');
    await expectError(await http.get(`/api/analytics/export?${RANGE}&format=xml`, { bearer: admin.accessToken }), 400, 'invalid_query');
    const email = uniqueEmail('member');
    const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email }, { bearer: admin.accessToken }), 201);
    const member = await http.signup({ email, invitationToken: invitation.token });
    await expectError(await http.get(`/api/analytics/export?${RANGE}`, { bearer: member.accessToken }), 403, 'admin_required');
    await expectError(await http.get(`/api/analytics/export?${RANGE}`), 401, 'unauthenticated');
    const ingestKey = (await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'write key', scopes: ['ingest'] }, { bearer: admin.accessToken }), 201)).key;
    await expectError(await http.get(`/api/analytics/export?${RANGE}`, { bearer: ingestKey }), 403, 'insufficient_scope');
    const readKey = (await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'reader', scopes: ['read'] }, { bearer: admin.accessToken }), 201)).key;
    const read = await http.get('/api/analytics/export?from=2026-11-01T00:00:00Z&to=2026-11-01T00:00:02Z', { bearer: readKey });
    expect((await read.text()).trim().split('\n').map((line) => (JSON.parse(line) as { messageId: string }).messageId)).toEqual([messageId(1)]);
  });

  it('holds PostgreSQL back while the client does not read, and ends its session when the client leaves', async () => {
    const abort = new AbortController();
    const response = await fetch(`${app.url}/api/analytics/export?${RANGE}`, { headers: { authorization: `Bearer ${bulkAdmin.accessToken}` }, signal: abort.signal });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    // Backpressure: with more to send than every buffer on the way holds and one chunk read, PostgreSQL waits
    // to write to us, still inside its COPY.
    await until(async () => (await exportBackends()).some((backend) => backend.state === 'active' && backend.wait_event === 'ClientWrite'), 'the export backend waiting in ClientWrite');
    // The one slot is held while it streams.
    await expectError(await http.get(`/api/analytics/export?${RANGE}`, { bearer: admin.accessToken }), 503, 'exports_busy');
    abort.abort();
    await reader.cancel().catch(() => undefined);
    await until(async () => (await exportBackends()).length === 0, 'the export session ended');
    // And the slot is free again.
    const again = await http.get(`/api/analytics/export?from=2026-11-01T00:00:00Z&to=2026-11-01T00:00:03Z`, { bearer: admin.accessToken });
    expect(again.status).toBe(200);
    expect((await again.text()).trim().split('\n')).toHaveLength(2);
  });
});
