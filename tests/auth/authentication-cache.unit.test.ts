import { describe, expect, it } from '@jest/globals';
import { AuthenticationCache, parseInvalidation } from '../../auth/cache/authentication-cache.js';
import type { ActiveUser } from '../../domain/user/state.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const LATER = new Date('2026-12-01T13:00:00Z');
const user = { status: 'Active', userId: 'u1', roles: ['member'] } as unknown as ActiveUser;

/** A load the test finishes by hand, to put an invalidation between its start and its answer. */
function pending<T>(): { load: () => Promise<T>; answer: (value: T) => void; calls: () => number } {
  let calls = 0;
  let resolve: (value: T) => void = () => undefined;
  return {
    load: () => {
      calls++;
      return new Promise<T>((done) => (resolve = done));
    },
    answer: (value) => resolve(value),
    calls: () => calls,
  };
}

describe('the authentication cache', () => {
  it('serves an open session from memory while listening, and reads it again once invalidated', async () => {
    const cache = new AuthenticationCache(true);
    cache.setListening(true);
    let reads = 0;
    const load = async () => {
      reads++;
      return LATER;
    };
    await expect(cache.sessionIsOpen('s1', NOW, load)).resolves.toBe(true);
    await expect(cache.sessionIsOpen('s1', NOW, load)).resolves.toBe(true);
    expect(reads).toBe(1);
    cache.invalidate({ kind: 'session', sessionId: 's1' });
    await expect(cache.sessionIsOpen('s1', NOW, async () => undefined)).resolves.toBe(false);
  });

  it('keeps nothing a read brought back when an invalidation came while it was in flight', async () => {
    const cache = new AuthenticationCache(true);
    cache.setListening(true);
    const session = pending<Date | undefined>();
    const opening = cache.sessionIsOpen('s1', NOW, session.load);
    cache.invalidate({ kind: 'session', sessionId: 'another' });
    session.answer(LATER);
    await expect(opening).resolves.toBe(true);
    expect(cache.size.sessions).toBe(0);

    const users = pending<ActiveUser | undefined>();
    const loading = cache.user('u1', users.load);
    cache.invalidate({ kind: 'user', userId: 'u2' });
    users.answer(user);
    await expect(loading).resolves.toBe(user);
    expect(cache.size.users).toBe(0);
  });

  it('neither keeps nor serves anything while not listening, and empties when the listener is lost', async () => {
    const cache = new AuthenticationCache(true);
    await cache.sessionIsOpen('s1', NOW, async () => LATER);
    await cache.user('u1', async () => user);
    expect(cache.size).toEqual({ sessions: 0, users: 0 });

    cache.setListening(true);
    await cache.sessionIsOpen('s1', NOW, async () => LATER);
    await cache.user('u1', async () => user);
    expect(cache.size).toEqual({ sessions: 1, users: 1 });
    cache.setListening(false);
    expect(cache.size).toEqual({ sessions: 0, users: 0 });
    await expect(cache.sessionIsOpen('s1', NOW, async () => undefined)).resolves.toBe(false);
  });

  it('checks a kept session’s expiry on every use', async () => {
    const cache = new AuthenticationCache(true);
    cache.setListening(true);
    await cache.sessionIsOpen('s1', NOW, async () => LATER);
    await expect(cache.sessionIsOpen('s1', LATER, async () => undefined)).resolves.toBe(false);
  });

  it('reads users every time when told not to cache them (an event log outside PostgreSQL)', async () => {
    const cache = new AuthenticationCache(false);
    cache.setListening(true);
    const users = pending<ActiveUser | undefined>();
    const first = cache.user('u1', users.load);
    users.answer(user);
    await first;
    const second = cache.user('u1', users.load);
    users.answer(user);
    await second;
    expect(users.calls()).toBe(2);
  });

  it('forgets a user when their stream is appended to, not for other streams', async () => {
    const cache = new AuthenticationCache(true);
    cache.setListening(true);
    await cache.user('u1', async () => user);
    cache.streamAppended('post-u1');
    expect(cache.size.users).toBe(1);
    cache.streamAppended('user-u1');
    expect(cache.size.users).toBe(0);
  });

  it('reads the triggers’ payloads', () => {
    expect(parseInvalidation('session abc')).toEqual({ kind: 'session', sessionId: 'abc' });
    expect(parseInvalidation('user-0193')).toEqual({ kind: 'user', userId: '0193' });
    expect(parseInvalidation('something else')).toBeUndefined();
  });
});
