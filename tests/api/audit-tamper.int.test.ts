import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, compactVerify, createRemoteJWKSet, generateKeyPair } from 'jose';
import { auditVerifyCommand } from '../../app/commands/audit-verify.js';
import { InvalidDigestError, type AuditDigest } from '../../auth/tokens/audit-digest.js';
import { GENESIS_HASH, leafHash } from '../../domain/audit/hash-chain.js';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import type { ChainReportJson } from '../../projections/audit/chain-report-json.js';
import { stretchRowOf } from '../../projections/audit/seal-stretch.js';
import { verifyChain } from '../../projections/audit/verify-chain.js';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { newEvents } from '../support/events.js';
import { readModelsBuilt } from '../support/read-models.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;
let operator: AuthAnswer;
let member: AuthAnswer;
let folder: string;
/** Five events of one append (one transaction: positions that differ only in their index), then five of another. */
let first: RecordedEvent[];
let second: RecordedEvent[];

beforeAll(async () => {
  app = await startTestApp({ role: 'start', env: GENEROUS_LIMITS_ENV });
  await readModelsBuilt(app);
  http = new HttpClient(app.url);
  operator = await http.signup();
  member = await http.signup();
  folder = await mkdtemp(join(tmpdir(), 'chronicle-digest-'));
  const store = app.services.eventStore;
  await store.appendToStream(`thing-${randomUUID()}`, newEvents(5, 'ThingHappened'));
  await appendVersion1Post();
  const last = await store.appendToStream(`thing-${randomUUID()}`, newEvents(5, 'ThingHappened'));
  const things = (await store.readAll({ filter: { streamPrefixes: ['thing-'] } })).filter((event) => event.position <= last.position);
  first = things.slice(0, 5);
  second = things.slice(5, 10);
}, 60_000);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  await app?.stop();
});

/** A PostCreated as schema version 1 wrote it: the post upcaster changes it on every read, the seal must hash it as stored. */
async function appendVersion1Post(): Promise<void> {
  const postId = randomUUID();
  const eventId = randomUUID();
  await app.services.eventStore.appendToStream(`post-${postId}`, [
    {
      id: eventId,
      type: 'PostCreated',
      data: { postId, tenantId: member.user.tenantId, authorId: member.user.id, title: 'Old', body: 'Written long ago' },
      metadata: { eventId, correlationId: eventId, causationId: eventId, actor: { type: 'user', id: member.user.id }, tenantId: member.user.tenantId, requestId: null, occurredAt: '2025-06-01T12:00:00.000Z', schemaVersion: 1 },
    },
  ]);
}

/** GET /api/admin/audit/verify once the seal has reached the head of the log. */
async function verify(): Promise<ChainReportJson> {
  const head = await app.services.eventStore.headPosition();
  return expectJson<ChainReportJson>(await http.get('/api/admin/audit/verify', { bearer: operator.accessToken, headers: { 'x-min-position': String(head) } }), 200);
}

async function takeDigest(): Promise<AuditDigest> {
  const head = await app.services.eventStore.headPosition();
  return expectJson<AuditDigest>(await http.get('/api/admin/audit/digest', { bearer: operator.accessToken, headers: { 'x-min-position': String(head) } }), 200);
}

/** `chronicle audit verify --digest <file> --json` against the app's database, in this process. */
async function verifyWithDigest(digest: unknown): Promise<{ exitCode: number; report: ChainReportJson }> {
  const file = join(folder, `${randomUUID()}.json`);
  await writeFile(file, JSON.stringify(digest));
  const lines: string[] = [];
  const exitCode = await auditVerifyCommand({ DATABASE_URL: app.services.databaseUrl, LOG_LEVEL: 'silent' }, { digestFile: file, json: true }, { line: async (text) => void lines.push(text) });
  return { exitCode, report: JSON.parse(lines.join('\n')) as ChainReportJson };
}

const sql = (text: string, bindings: readonly (string | number)[] = []) => app.services.knex.raw(text, bindings);

async function totalEvents(): Promise<number> {
  const { rows } = await sql('SELECT count(*)::int AS count FROM events');
  return (rows as Array<{ count: number }>)[0]!.count;
}

describe('tamper evidence: the seal over the whole log', () => {
  it('passes on an untouched log, an event that an upcaster changes on read included; only operators may ask', async () => {
    const report = await verify();
    expect(report).toMatchObject({ ok: true, firstMismatch: null, checked: await totalEvents() });
    expect(report.through).toBe(report.sealedThrough);
    await expectError(await http.get('/api/admin/audit/verify', { bearer: member.accessToken }), 403, 'operator_required');
    await expectError(await http.get('/api/admin/audit/digest', { bearer: member.accessToken }), 403, 'operator_required');
  });

  it('an UPDATE of event data behind the application: "changed", naming the first of two changed events; intact again once undone', async () => {
    const [early, late] = [first[1]!, second[3]!];
    await sql(`UPDATE events SET data = '{"amount": 1000000}' WHERE event_id IN (?, ?)`, [early.id, late.id]);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.firstMismatch).toMatchObject({ kind: 'changed', eventId: early.id, position: String(early.position), stream: early.stream, revision: '1' });
    await sql(`UPDATE events SET data = ?::json WHERE event_id = ?`, [JSON.stringify(early.data), early.id]);
    await sql(`UPDATE events SET data = ?::json WHERE event_id = ?`, [JSON.stringify(late.data), late.id]);
    expect((await verify()).ok).toBe(true);
  });

  it('a payload stored again in another JSON form with the same content (spaces, line breaks) is "changed": the seal covers the bytes stored', async () => {
    const event = first[0]!;
    await sql('UPDATE events SET data = ?::json WHERE event_id = ?', [JSON.stringify(event.data, null, 2), event.id]);
    expect((await verify()).firstMismatch).toMatchObject({ kind: 'changed', eventId: event.id });
    await sql('UPDATE events SET data = ?::json WHERE event_id = ?', [JSON.stringify(event.data), event.id]);
    expect((await verify()).ok).toBe(true);
  });

  it('verify hashes every event again and never trusts the leaf its appender stored: a payload forged with its stored leaf forged to match is "changed"', async () => {
    const event = first[3]!;
    const forged = '{"amount":1}';
    await sql(
      `UPDATE events SET data = ?::json,
              seal_leaf = sha256(convert_to('[' || to_json(stream_id)::text || ',' || to_json(event_type)::text || ',' || ?::text || ',' || metadata::text || ']', 'UTF8'))
        WHERE event_id = ?`,
      [forged, forged, event.id],
    );
    expect((await verify()).firstMismatch).toMatchObject({ kind: 'changed', eventId: event.id });
    await sql('UPDATE events SET data = ?::json WHERE event_id = ?', [JSON.stringify(event.data), event.id]);
    // The log is as sealed again; its stored leaf, forged still and then garbled, is not looked at.
    expect((await verify()).ok).toBe(true);
    await sql("UPDATE events SET seal_leaf = '\\x01' WHERE event_id = ?", [event.id]);
    expect((await verify()).ok).toBe(true);
  });

  it('a DELETE: "missing", naming the deleted event and where it was sealed', async () => {
    const gone = first[2]!;
    await sql('CREATE TABLE deleted_event AS SELECT * FROM events WHERE event_id = ?', [gone.id]);
    await sql('DELETE FROM events WHERE event_id = ?', [gone.id]);
    const report = await verify();
    expect(report.firstMismatch).toMatchObject({ kind: 'missing', eventId: gone.id, position: String(gone.position), stream: gone.stream, revision: '2' });
    await sql('INSERT INTO events SELECT * FROM deleted_event');
    await sql('DROP TABLE deleted_event');
    expect((await verify()).ok).toBe(true);
  });

  it('an INSERT of a forged event among sealed history: "inserted", naming it', async () => {
    const forgedId = randomUUID();
    // Into the first append's transaction, after its five events: before the second append, which is sealed.
    await sql(
      `INSERT INTO events (tx_id, idx, stream_id, stream_revision, event_id, event_type, data, metadata)
       SELECT tx_id, 100, 'forged-1', 0, ?, 'UserRoleGranted', '{"role": "operator"}', '{}' FROM events WHERE event_id = ?`,
      [forgedId, first[0]!.id],
    );
    const report = await verify();
    expect(report.firstMismatch).toMatchObject({ kind: 'inserted', eventId: forgedId, stream: 'forged-1', revision: '0' });
    expect(BigInt(report.firstMismatch!.position)).toBeGreaterThan(first[4]!.position);
    expect(BigInt(report.firstMismatch!.position)).toBeLessThan(second[0]!.position);
    await sql('DELETE FROM events WHERE event_id = ?', [forgedId]);
    expect((await verify()).ok).toBe(true);
  });

  it('a reordering of positions: "reordered", naming the event now at the earlier position and where it was sealed', async () => {
    const [a, b] = [first[1]!, first[3]!];
    const swap = async () => {
      const { rows } = await sql('SELECT event_id::text AS id, idx FROM events WHERE event_id IN (?, ?)', [a.id, b.id]);
      const idx = new Map((rows as Array<{ id: string; idx: number }>).map((row) => [row.id, row.idx]));
      await sql('UPDATE events SET idx = -1 WHERE event_id = ?', [a.id]);
      await sql('UPDATE events SET idx = ? WHERE event_id = ?', [idx.get(a.id)!, b.id]);
      await sql('UPDATE events SET idx = ? WHERE event_id = ?', [idx.get(b.id)!, a.id]);
    };
    await swap();
    const report = await verify();
    expect(report.firstMismatch).toMatchObject({ kind: 'reordered', eventId: b.id, position: String(a.position), sealedAt: String(b.position) });
    await swap();
    expect((await verify()).ok).toBe(true);
  });
});

describe('verify page by page (the quick pass over the seal, verify-pages.ts)', () => {
  const verifyInPages = (pageEvents: number) => verifyChain(app.services.knex, app.services.eventStore, { pageEvents });
  /** How many events of the log lie at or before `position`. */
  async function rank(position: bigint): Promise<number> {
    const { rows } = await sql('SELECT count(*)::int AS count FROM events WHERE tx_id::text::numeric * 4294967296 + idx <= ?', [String(position)]);
    return (rows as Array<{ count: number }>)[0]!.count;
  }

  it('passes an untouched log of many pages, counting every event, with progress a page at a time', async () => {
    // Three stretches of three events at least: the seal takes each append before the next is made.
    for (let i = 0; i < 3; i++) {
      await app.services.eventStore.appendToStream(`thing-${randomUUID()}`, newEvents(3, 'ThingHappened'));
      await verify();
    }
    const progress: number[] = [];
    const report = await verifyChain(app.services.knex, app.services.eventStore, { pageEvents: 3, onProgress: (checked) => progress.push(checked) });
    const total = await totalEvents();
    expect(report).toMatchObject({ ok: true, checked: total });
    // A page is whole stretches of the seal holding at least 3 events; the last one takes the rest.
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toBe(total);
    progress.slice(1, -1).forEach((checked, i) => expect(checked - progress[i]!).toBeGreaterThanOrEqual(3));
  });

  it('names a change in a later page, after passing over the pages before it', async () => {
    const victim = second[3]!;
    await sql(`UPDATE events SET data = '{"amount": 7}' WHERE event_id = ?`, [victim.id]);
    const report = await verifyInPages(3);
    expect(report.mismatch).toMatchObject({ kind: 'changed', eventId: victim.id, position: victim.position });
    expect(report.checked).toBe((await rank(victim.position)) - 1);
    await sql(`UPDATE events SET data = ?::json WHERE event_id = ?`, [JSON.stringify(victim.data), victim.id]);
    expect((await verifyInPages(3)).ok).toBe(true);
  });

  it('a hash of the seal rewritten where a page ends and the next starts fails, naming the last event of its stretch', async () => {
    // Three stretches at least: the seal takes each append before the next is made.
    for (let i = 0; i < 3; i++) {
      await app.services.eventStore.appendToStream(`thing-${randomUUID()}`, newEvents(2, 'ThingHappened'));
      await verify();
    }
    const { rows } = await sql('SELECT position::text AS position, hash FROM audit_chain ORDER BY audit_chain.position DESC OFFSET 1 LIMIT 1');
    const [end] = rows as Array<{ position: string; hash: string }>;
    await sql('UPDATE audit_chain SET hash = ? WHERE position = ?', ['f'.repeat(64), end!.position]);
    try {
      // A page a stretch: the forged hash ends one page and starts the next.
      const report = await verifyInPages(1);
      expect(report.ok).toBe(false);
      expect(report.mismatch).toMatchObject({ kind: 'changed', position: BigInt(end!.position) });
    } finally {
      await sql('UPDATE audit_chain SET hash = ? WHERE position = ?', [end!.hash, end!.position]);
    }
    expect((await verifyInPages(1)).ok).toBe(true);
  });

  it('a leaf of the seal rewritten (the log untouched): "changed", naming that event', async () => {
    await verify();
    const { rows } = await sql('SELECT position::text AS position, events FROM audit_chain ORDER BY audit_chain.position DESC OFFSET 1 LIMIT 1');
    const [stretch] = rows as Array<{ position: string; events: number }>;
    const events = await app.services.eventStore.readAll();
    const victim = events[events.findIndex((event) => event.position === BigInt(stretch!.position)) - stretch!.events + 1]!;
    await sql(`UPDATE audit_chain SET records = overlay(records PLACING '\\x${'ab'.repeat(32)}'::bytea FROM 1 FOR 32) WHERE position = ?`, [stretch!.position]);
    try {
      expect((await verifyInPages(3)).mismatch).toMatchObject({ kind: 'changed', eventId: victim.id, position: victim.position });
    } finally {
      await sql("UPDATE audit_chain SET records = overlay(records PLACING decode(?, 'hex') FROM 1 FOR 32) WHERE position = ?", [leafHash(victim), stretch!.position]);
    }
    expect((await verifyInPages(3)).ok).toBe(true);
  });

  it('a digest at a position where no stretch of the seal ends cannot match', async () => {
    const head = await verify();
    const report = await verifyChain(app.services.knex, app.services.eventStore, { digest: { position: BigInt(head.sealedThrough!) - 1n, hash: GENESIS_HASH } });
    expect(report).toMatchObject({ ok: false, digest: { matches: false } });
    expect(report.mismatch).toBeUndefined();
  });

  it('the last event of a transaction moved to a later position in the same order (its leaf and the chain unchanged): "reordered"', async () => {
    const moved = second[4]!;
    await app.services.eventStore.appendToStream(`thing-${randomUUID()}`, newEvents(1, 'ThingHappened'));
    await verify();
    // The first page ends one event after it: only the page's positions tell.
    const pageEvents = (await rank(moved.position)) + 1;
    await sql('UPDATE events SET idx = idx + 3 WHERE event_id = ?', [moved.id]);
    const report = await verifyInPages(pageEvents);
    expect(report.mismatch).toMatchObject({ kind: 'reordered', eventId: moved.id, position: moved.position + 3n, sealedAt: moved.position });
    await sql('UPDATE events SET idx = idx - 3 WHERE event_id = ?', [moved.id]);
    expect((await verifyInPages(pageEvents)).ok).toBe(true);
  });
});

describe('signed digests', () => {
  it('a third party checks a digest with the JWKS alone (jose against /.well-known/jwks.json)', async () => {
    const digest = await takeDigest();
    const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', app.url));
    const { payload, protectedHeader } = await compactVerify(digest.signature, jwks);
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ position: digest.position, hash: digest.hash, signedAt: digest.signedAt });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: digest.keyId });
    expect(digest.position).toBe((await verify()).sealedThrough);
  });

  it('a digest taken before later legitimate appends still verifies (chronicle audit verify --digest)', async () => {
    const digest = await takeDigest();
    await app.services.eventStore.appendToStream(`thing-${randomUUID()}`, newEvents(3, 'ThingHappened'));
    const now = await verify();
    expect(BigInt(now.sealedThrough!)).toBeGreaterThan(BigInt(digest.position));
    const { exitCode, report } = await verifyWithDigest(digest);
    expect(report).toMatchObject({ ok: true, through: digest.position, digest: { position: digest.position, hash: digest.hash, matches: true } });
    expect(exitCode).toBe(0);
  });

  it('a forged digest is refused: a field changed after signing, or a signature by another key under the same keyId', async () => {
    const digest = await takeDigest();
    await expect(verifyWithDigest({ ...digest, hash: 'f'.repeat(64) })).rejects.toThrow(InvalidDigestError);
    await expect(verifyWithDigest({ ...digest, position: '1' })).rejects.toThrow(InvalidDigestError);
    const impostor = await generateKeyPair('ES256');
    const payload = new TextEncoder().encode(JSON.stringify({ position: digest.position, hash: digest.hash, signedAt: digest.signedAt }));
    const signature = await new CompactSign(payload).setProtectedHeader({ alg: 'ES256', kid: digest.keyId, typ: 'chronicle-audit-digest+jws' }).sign(impostor.privateKey);
    await expect(verifyWithDigest({ ...digest, signature })).rejects.toThrow(/signature does not verify/);
  });

  // Last: it leaves the log tampered.
  it('a digest after a tamper fails: events changed alone name the event; events and seal rewritten together fail on the digest alone', async () => {
    const digest = await takeDigest();
    const victim = second[0]!;
    await sql(`UPDATE events SET data = '{"rewritten": true}' WHERE event_id = ?`, [victim.id]);
    const alone = await verifyWithDigest(digest);
    expect(alone.exitCode).toBe(1);
    expect(alone.report.firstMismatch).toMatchObject({ kind: 'changed', eventId: victim.id });

    // Someone with write access to the database recomputes the seal over the rewritten log, holding the
    // seal still meanwhile: a batch that read the chain's last hash before the rewrite would chain onto a
    // hash the rewrite replaces (ACCESS EXCLUSIVE waits for such a batch to commit, then rewrites it too).
    await verify(); // the seal has taken every event so far (the changed event is reported; that is known)
    await app.services.knex.transaction(async (trx) => {
      await trx.raw('LOCK TABLE audit_chain IN ACCESS EXCLUSIVE MODE');
      const ends = (await trx.raw<{ rows: Array<{ position: string }> }>('SELECT position::text AS position FROM audit_chain ORDER BY audit_chain.position')).rows.map((row) => BigInt(row.position));
      const events = await app.services.eventStore.readAll();
      let previous = GENESIS_HASH;
      let after = -1n;
      for (const end of ends) {
        const row = stretchRowOf(events.filter((event) => event.position > after && event.position <= end), previous);
        await trx.raw('UPDATE audit_chain SET records = ?, hash = ? WHERE position = ?', [row.records, row.hash, String(end)]);
        previous = row.hash;
        after = end;
      }
    });
    // The whole report on failure: which event, which kind.
    expect(await verify()).toMatchObject({ ok: true, firstMismatch: null });
    const rewritten = await verifyWithDigest(digest);
    expect(rewritten.exitCode).toBe(1);
    expect(rewritten.report).toMatchObject({ ok: false, firstMismatch: null, digest: { position: digest.position, matches: false } });
  });
});
