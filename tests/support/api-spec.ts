import { expect } from '@jest/globals';
import type { JsonObject, RecordedEvent } from '../../infra/event-store/event-store.js';
import { HttpClient } from './auth-http.js';
import { appendGiven, type GivenEvent, type GivenOptions } from './given-events.js';
import { checkpointOf, eventually } from './projection-harness.js';
import type { TestApp } from './test-app.js';

/** An event the request is expected to append; only the fields named are compared (toMatchObject). */
export interface ExpectedEvent {
  stream?: string;
  type: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface ExpectedAnswer {
  status: number;
  /** Compared with toEqual; use expect.objectContaining(...) for a part. Omitted: not compared. */
  body?: unknown;
  /** Header values (names in lower case): a string is compared exactly, a RegExp matched. */
  headers?: Readonly<Record<string, string | RegExp>>;
  /** Every event appended while the request ran, in log order. Default: none, so a refused request proves it appended nothing. */
  events?: readonly ExpectedEvent[];
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  events: RecordedEvent[];
}

export interface WhenContext {
  http: HttpClient;
  /** The log position of the last given event (or the head before the request): for `X-Min-Position`. */
  position: string | null;
}

/**
 * given(events).when(request).then(answer): an API specification over real
 * HTTP against a listening server (tests/support/test-app.ts) and its real
 * event store. The given events are appended as the command side would, and
 * the read models the app builds (role `start`) have applied them before
 * the request goes out; `then` compares the answer and the events the
 * request appended, and returns them for further checks.
 *
 *   await apiSpec(() => app)
 *     .given([{ stream: `user-${id}`, type: 'UserSignedUp', data: {...} }])
 *     .when(({ http }) => http.post(`/api/users/${id}/disable`, {}, { bearer: admin }))
 *     .then({ status: 200, events: [{ stream: `user-${id}`, type: 'UserDisabled' }] });
 */
export function apiSpec(app: () => TestApp, options: GivenOptions = {}) {
  return {
    given(events: readonly GivenEvent[]) {
      return {
        when(request: (context: WhenContext) => Promise<Response>) {
          return {
            async then(expected: ExpectedAnswer): Promise<Answer> {
              const answer = await run(app(), events, request, options);
              expectAnswer(answer, expected);
              return answer;
            },
          };
        },
      };
    },
  };
}

async function run(app: TestApp, given: readonly GivenEvent[], request: (context: WhenContext) => Promise<Response>, options: GivenOptions): Promise<Answer> {
  const store = app.services.eventStore;
  // Given events are written at their types' current schema versions unless they say otherwise, as the command side writes them.
  await appendGiven(store, given, { schemaVersionOf: (type) => app.services.upcasters.currentVersion(type), ...options });
  await readModelsCaughtUp(app);
  const before = await store.headPosition();
  const response = await request({ http: new HttpClient(app.url), position: before === undefined ? null : String(before) });
  const text = await response.text();
  const body: unknown = text.length > 0 && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
  const events = await store.readAll(before === undefined ? {} : { fromPosition: before });
  return { status: response.status, headers: response.headers, body, events };
}

/** The projections this app's workers own (none for role api) have applied everything in the log. */
async function readModelsCaughtUp(app: TestApp): Promise<void> {
  const { knex, eventStore } = app.services;
  const owned = (await knex('projections').whereNotNull('owner').select<Array<{ name: string }>>('name')).map((row) => row.name);
  const head = await eventStore.headPosition();
  if (head === undefined) return;
  await eventually('the read models have applied the given events', async () => {
    for (const name of owned) {
      const checkpoint = await checkpointOf(knex, name);
      if (checkpoint === undefined || checkpoint < head) return false;
    }
    return true;
  });
}

function expectAnswer(answer: Answer, expected: ExpectedAnswer): void {
  // Status and body together, so a wrong status shows the error body that explains it.
  expect({ status: answer.status, body: answer.body }).toEqual({ status: expected.status, body: 'body' in expected ? expected.body : answer.body });
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const actual = answer.headers.get(name);
    if (typeof value === 'string') expect({ [name]: actual }).toEqual({ [name]: value });
    else expect({ [name]: actual }).toEqual({ [name]: expect.stringMatching(value) });
  }
  const appended = answer.events.map((event) => ({ stream: event.stream, type: event.type, data: event.data, metadata: event.metadata as JsonObject }));
  expect(appended).toMatchObject(expected.events ?? []);
}
