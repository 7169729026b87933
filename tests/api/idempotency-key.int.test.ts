import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Forbidden } from '../../api/errors.js';
import { Idempotency, requestFingerprint, type IdempotentAnswer } from '../../api/idempotency/idempotency.js';
import { IdempotencyKeys, type ClaimOutcome } from '../../api/idempotency/idempotency-keys.js';
import { revisionETag } from '../../api/if-match.js';
import { defineRoute } from '../../api/route.js';
import { routeModule, type RouteModule } from '../../api/route-module.js';
import { CommandHandler } from '../../commands/command-handler.js';
import { systemContext } from '../../commands/metadata.js';
import { systemRuntime } from '../../commands/runtime.js';
import { GENEROUS_LIMITS_ENV, HttpClient, expectError, expectJson, type AuthAnswer } from '../support/auth-http.js';
import { counterAggregate, increment } from '../support/counter-aggregate.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const runtime = systemRuntime();

/** Notes the requests (by claim) that found their key held by a running one, so a test can hold the first until the others wait. */
class WatchedKeys extends IdempotencyKeys {
  readonly waiting = new Set<string>();
  override async claim(scope: string, key: string, fingerprint: string, claim: string): Promise<ClaimOutcome> {
    const outcome = await super.claim(scope, key, fingerprint, claim);
    if (outcome.kind === 'pending') this.waiting.add(claim);
    return outcome;
  }
}

let app: TestApp;
let http: HttpClient;
let keys: WatchedKeys;
let commands: CommandHandler;
let alice: AuthAnswer;
let bob: AuthAnswer;
/** Each run of the route's handler, whether it appended or not. */
let runs = 0;
/** While set, the route waits for it before running its command. */
let hold: Promise<void> | undefined;
let refuse = false;

/** POST /test/counters/:id/increments: one event per run, answered like a command (201, ETag, Location). */
function counterRoutes(idempotency: Idempotency): RouteModule {
  const increments = defineRoute({
    method: 'post',
    path: '/test/counters/:id/increments',
    tags: ['test'],
    summary: 'Adds one to a counter',
    auth: 'required',
    idempotency,
    request: { params: z.object({ id: z.string() }), body: z.object({ note: z.string().optional(), n: z.number().optional() }) },
    responses: { 201: { description: 'The new total', schema: z.object({ id: z.string(), revision: z.string(), position: z.string(), total: z.number() }) } },
    errors: [403],
    async handler({ params, principal }) {
      runs++;
      if (hold) await hold;
      if (refuse) throw new Forbidden('not now', { code: 'refused' });
      const result = await commands.handle(counterAggregate, `counter-${params.id}`, increment, { context: systemContext(runtime, principal.tenantId) });
      return {
        status: 201,
        headers: { ...revisionETag(result.revision), Location: `/test/counters/${params.id}` },
        body: { id: params.id, revision: String(result.revision), position: String(result.position), total: result.state.count },
      };
    },
  });
  return routeModule('test-counters', [increments]);
}

beforeAll(async () => {
  app = await startTestApp({
    env: GENEROUS_LIMITS_ENV,
    routeModules: (services) => {
      keys = new WatchedKeys(services.knex, { ttlSeconds: 3600, leaseSeconds: 60 });
      commands = new CommandHandler({ eventStore: services.eventStore, runtime });
      return [counterRoutes(new Idempotency(keys, 10_000))];
    },
  });
  http = new HttpClient(app.url);
  [alice, bob] = [await http.signup(), await http.signup()];
});

afterAll(async () => {
  await app?.stop();
});

const increments = (id: string, body: unknown, bearer: string, key?: string) =>
  http.post(`/test/counters/${id}/increments`, body, { bearer, headers: key === undefined ? {} : { 'Idempotency-Key': key } });
const eventsOf = async (id: string) => (await app.services.eventStore.readStream(`counter-${id}`)).length;

describe('Idempotency-Key on POST', () => {
  it('answers a repeat with the first answer, status, body, ETag and Location, and appends nothing', async () => {
    const id = randomUUID();
    const key = randomUUID();
    const first = await increments(id, { note: 'a', n: 1 }, alice.accessToken, key);
    const firstBody = await expectJson<Record<string, unknown>>(first, 201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // The same body with its keys in another order is the same request.
    const again = await increments(id, { n: 1, note: 'a' }, alice.accessToken, key);
    expect(await expectJson(again, 201)).toEqual(firstBody);
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await eventsOf(id)).toBe(1);
  });

  it('runs requests without a key, or with another key, each time', async () => {
    const id = randomUUID();
    await expectJson(await increments(id, {}, alice.accessToken), 201);
    await expectJson(await increments(id, {}, alice.accessToken), 201);
    await expectJson(await increments(id, {}, alice.accessToken, randomUUID()), 201);
    await expectJson(await increments(id, {}, alice.accessToken, randomUUID()), 201);
    expect(await eventsOf(id)).toBe(4);
  });

  it('gives racing repeats the first answer once it is known, appending once', async () => {
    const id = randomUUID();
    const key = randomUUID();
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const runsBefore = runs;
    keys.waiting.clear();
    const racing = Array.from({ length: 8 }, () => increments(id, { note: 'race' }, alice.accessToken, key));
    try {
      // The first holds the key until every repeat has found it held.
      while (keys.waiting.size < 7) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      release();
      hold = undefined;
    }
    const answers = await Promise.all((await Promise.all(racing)).map((response) => expectJson<Record<string, unknown>>(response, 201)));
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(runs - runsBefore).toBe(1);
    expect(await eventsOf(id)).toBe(1);
  });

  it('answers 422 idempotency_key_reused to the same key with another body or URL, appending nothing', async () => {
    const id = randomUUID();
    const key = randomUUID();
    await expectJson(await increments(id, { note: 'a' }, alice.accessToken, key), 201);
    await expectError(await increments(id, { note: 'b' }, alice.accessToken, key), 422, 'idempotency_key_reused');
    await expectError(await increments(randomUUID(), { note: 'a' }, alice.accessToken, key), 422, 'idempotency_key_reused');
    expect(await eventsOf(id)).toBe(1);
  });

  it('keeps the keys of different callers apart', async () => {
    const id = randomUUID();
    const key = randomUUID();
    await expectJson(await increments(id, { note: 'a' }, alice.accessToken, key), 201);
    await expectJson(await increments(id, { note: 'a' }, bob.accessToken, key), 201);
    await expectJson(await increments(id, { note: 'b' }, bob.accessToken, randomUUID()), 201);
    expect(await eventsOf(id)).toBe(3);
  });

  it('does not keep a refusal: the key is free again and a repeat runs', async () => {
    const id = randomUUID();
    const key = randomUUID();
    refuse = true;
    try {
      await expectError(await increments(id, { note: 'a' }, alice.accessToken, key), 403, 'refused');
    } finally {
      refuse = false;
    }
    expect(await eventsOf(id)).toBe(0);
    const answer = await expectJson<{ total: number }>(await increments(id, { note: 'a' }, alice.accessToken, key), 201);
    expect(answer.total).toBe(1);
    // Once answered with a success, the key is bound to it.
    await expectError(await increments(id, { note: 'other' }, alice.accessToken, key), 422, 'idempotency_key_reused');
  });

  it('forgets a key once it expires: the same key then runs a new request', async () => {
    const id = randomUUID();
    const key = randomUUID();
    const expire = () =>
      app.services.knex('idempotency_keys').where({ idempotency_key: key }).update({ expires_at: app.services.knex.raw(`now() - interval '1 second'`) });
    await expectJson(await increments(id, { note: 'a' }, alice.accessToken, key), 201);
    await expire();
    await expectJson(await increments(id, { note: 'b' }, alice.accessToken, key), 201);
    expect(await eventsOf(id)).toBe(2);
    await expire();
    expect(await keys.deleteExpired(1000)).toBeGreaterThanOrEqual(1);
    expect(await app.services.knex('idempotency_keys').where({ idempotency_key: key }).first()).toBeUndefined();
  });

  it('lets a repeat take over a claim whose request died, once its lease ran out', async () => {
    const id = randomUUID();
    const key = randomUUID();
    const path = `/test/counters/${id}/increments`;
    const scope = `${alice.user.tenantId}/user:${alice.user.id}`;
    // What a process that died while running the request leaves behind.
    expect(await keys.claim(scope, key, requestFingerprint('POST', path, { note: 'a' }), randomUUID())).toMatchObject({ kind: 'claimed' });
    await app.services.knex('idempotency_keys').where({ idempotency_key: key }).update({ locked_until: app.services.knex.raw(`now() - interval '1 second'`) });
    await expectJson(await increments(id, { note: 'a' }, alice.accessToken, key), 201);
    expect(await eventsOf(id)).toBe(1);
  });

  it('answers 409 idempotency_key_in_progress when the first request has not answered within the wait', async () => {
    const impatient = new Idempotency(keys, 0);
    const request = { scope: 'tenant/user:someone', key: randomUUID(), fingerprint: 'f' };
    const first: { release?: () => void } = {};
    const running = impatient.run(request, () => new Promise<IdempotentAnswer>((resolve) => (first.release = () => resolve({ status: 201, body: { ok: true } }))));
    while (first.release === undefined) await new Promise((resolve) => setImmediate(resolve));
    const repeat = impatient.run(request, async () => ({ status: 201, body: { ok: false } }));
    await expect(repeat).rejects.toMatchObject({ status: 409, code: 'idempotency_key_in_progress' });
    first.release();
    expect(await running).toEqual({ status: 201, body: { ok: true } });
    expect(await impatient.run(request, async () => ({ status: 201, body: { ok: false } }))).toEqual({
      status: 201,
      headers: { 'Idempotent-Replayed': 'true' },
      body: { ok: true },
    });
  });

  it('documents the header and its answers in OpenAPI for a route that honours it', async () => {
    type Operation = { parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> };
    const document = await expectJson<{ paths: Record<string, Record<string, Operation>> }>(await http.get('/openapi.json'), 200);
    const operation = document.paths['/test/counters/{id}/increments']?.['post'];
    expect(operation?.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'idempotency-key', in: 'header' })]));
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['201', '400', '409', '422']));
  });

  it('refuses a malformed key with 400 invalid_idempotency_key', async () => {
    await expectError(await increments(randomUUID(), {}, alice.accessToken, 'x'.repeat(201)), 400, 'invalid_idempotency_key');
  });
});
