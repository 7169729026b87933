import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Request } from 'express';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { Conflict, ValidationError } from '../errors.js';
import type { IdempotencyKeys, StoredAnswer } from './idempotency-keys.js';

/** What a route answers: a status, headers and a JSON body (defineRoute's answer). */
export interface IdempotentAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A request that carries an Idempotency-Key, as the key's owner and its content. */
export interface IdempotentRequest {
  /** Whose key: keys of different callers never meet. */
  scope: string;
  key: string;
  /** Method, URL and body: the same key with another of these is a mistake (422). */
  fingerprint: string;
}

/** The header a replayed answer carries, so a client can tell (Stripe's name). */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
const KEY_SHAPE = /^[\x21-\x7e]{1,200}$/;
const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 200;
const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 1_000;

/** For OpenAPI and validation: the header routes that opt in take. */
export const idempotencyKeyHeaderSchema = z.object({
  'idempotency-key': z
    .string()
    .regex(KEY_SHAPE)
    .optional()
    .meta({
      description:
        'Up to 200 visible ASCII characters, unique per intended change (a UUID): sent again with the same body, the first answer is replayed and nothing is changed again',
    }),
});

/** Another request with this key has not answered within the wait: try again shortly. */
export class IdempotencyKeyInProgress extends Conflict {
  constructor() {
    super('a request with this Idempotency-Key is still running; try again shortly', { code: 'idempotency_key_in_progress' });
  }
  override headers(): Record<string, string> {
    return { 'Retry-After': '1' };
  }
}

/**
 * `Idempotency-Key` on a POST: the first request with a key runs and its
 * answer is kept; a repeat (same caller, key, method, URL and body) gets that
 * answer again, with `Idempotent-Replayed: true`, and changes nothing. A repeat
 * racing the first waits (bounded) for its answer. The same key with another
 * request is 422 `idempotency_key_reused`.
 *
 * Only 2xx answers are kept. A refusal (4xx, 5xx, a thrown error) changed
 * nothing, so it binds nothing: the key is released and a repeat runs again,
 * e.g. once the client has fixed its body or gained the right.
 */
export class Idempotency {
  private lastSweep = Date.now();

  constructor(
    private readonly keys: IdempotencyKeys,
    /** How long a repeat waits for a racing first request to answer before 409 idempotency_key_in_progress. */
    private readonly waitMs: number,
  ) {}

  /** Runs `produce` under the request's key, or plainly when there is none. */
  async run<Answer extends IdempotentAnswer>(request: IdempotentRequest | undefined, produce: () => Promise<Answer | void>): Promise<Answer | void> {
    if (!request) return produce();
    this.sweepIfDue();
    const claim = await this.claim(request);
    if (typeof claim !== 'string') return claim as Answer;
    let answer: Answer | void;
    try {
      answer = await produce();
    } catch (error) {
      await this.keys.release(request.scope, request.key, claim).catch(() => undefined);
      throw error;
    }
    if (!answer || answer.status < 200 || answer.status > 299) {
      await this.keys.release(request.scope, request.key, claim).catch(() => undefined);
      return answer;
    }
    // Failing to keep the answer must not hide that the change was made: the
    // claim then stays pending, and a repeat waits for its lease to run out.
    await this.keys
      .complete(request.scope, request.key, claim, { status: answer.status, headers: answer.headers ?? {}, body: answer.body })
      .catch(() => undefined);
    return answer;
  }

  /**
   * Expired keys already count as absent; deleting them only frees space.
   * Done beside the requests that add keys, at most once a minute per process,
   * so the table stays as small as the traffic of one TTL without a scheduler.
   */
  private sweepIfDue(): void {
    if (Date.now() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = Date.now();
    void (async () => {
      for (let deleted = SWEEP_BATCH; deleted === SWEEP_BATCH; ) deleted = await this.keys.deleteExpired(SWEEP_BATCH);
    })().catch(() => undefined);
  }

  /** The claim's id when this request runs, or the first request's answer to replay. */
  private async claim(request: IdempotentRequest): Promise<string | IdempotentAnswer> {
    const deadline = Date.now() + this.waitMs;
    const claim = randomUUID();
    for (let poll = FIRST_POLL_MS; ; poll = Math.min(MAX_POLL_MS, poll * 2)) {
      const outcome = await this.keys.claim(request.scope, request.key, request.fingerprint, claim);
      if (outcome.kind === 'claimed') return outcome.claim;
      if (outcome.fingerprint !== request.fingerprint) {
        throw new ValidationError('this Idempotency-Key was used for another request; use a new key for a new request', {
          status: 422,
          code: 'idempotency_key_reused',
        });
      }
      if (outcome.kind === 'answered') return replay(outcome.answer);
      if (Date.now() + poll > deadline) throw new IdempotencyKeyInProgress();
      await sleep(poll);
    }
  }
}

function replay(answer: StoredAnswer): IdempotentAnswer {
  return { status: answer.status, headers: { ...answer.headers, [REPLAYED_HEADER]: 'true' }, ...(answer.body === undefined ? {} : { body: answer.body }) };
}

/**
 * The request's Idempotency-Key with its scope and fingerprint; undefined
 * without the header, or for a guest (guests share no scope that would keep
 * one's answer from another). A malformed key is 400 `invalid_idempotency_key`.
 */
export function idempotentRequest(req: Request, principal: Principal | undefined): IdempotentRequest | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined || !principal) return undefined;
  if (!KEY_SHAPE.test(key)) {
    throw new ValidationError('Idempotency-Key must be 1 to 200 visible ASCII characters', { status: 400, code: 'invalid_idempotency_key' });
  }
  return { scope: idempotencyScope(principal), key, fingerprint: requestFingerprint(req.method, req.originalUrl, req.body) };
}

/** Whose keys: one user's or one API key's, within its tenant. */
export function idempotencyScope(principal: Principal): string {
  return principal.kind === 'user' ? `${principal.tenantId}/user:${principal.userId}` : `${principal.tenantId}/apiKey:${principal.keyId}`;
}

/** What makes two requests the same: method, URL (with its query) and JSON body. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${url}\n`).update(canonicalJson(body)).digest('base64url');
}

/** JSON with object keys sorted: the same body however its sender ordered the keys. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
