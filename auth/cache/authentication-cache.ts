import type { ActiveUser } from '../../domain/user/state.js';
import { USER_CATEGORY } from '../../domain/user/streams.js';

/** What an invalidation names: a session whose row changed, or a user whose stream was appended to. */
export type Invalidation = { kind: 'session'; sessionId: string } | { kind: 'user'; userId: string };

const DEFAULT_CAPACITY = 10_000;
const USER_STREAM_PREFIX = `${USER_CATEGORY}-`;

/**
 * What authenticating a bearer token reads on every request, kept in this
 * process between requests: which sessions are open (and until when) and
 * each user's current state. Never a source of truth, and only trusted while
 * it hears of every change:
 * - in this process, the code that ends a session or appends to a user's
 *   stream invalidates the entry before it answers (sign-out is effective at
 *   once here);
 * - from other processes (and any other writer), database triggers NOTIFY
 *   on commit and the listener (authentication-cache-listener.ts) invalidates
 *   within milliseconds;
 * - while the listener is not listening, nothing is kept or served: every
 *   request reads the database, as without a cache; losing and regaining it
 *   empties the cache, since notifications may have been missed meanwhile.
 *
 * A read that began before an invalidation is not kept (it may predate the
 * change): a counter of invalidations is taken before each read and compared
 * before keeping its result. Expiry is checked on every use.
 */
export class AuthenticationCache {
  private listening = false;
  private invalidations = 0;
  private readonly sessions = new Map<string, Date>();
  private readonly users = new Map<string, ActiveUser>();

  constructor(
    /** False with an event log outside PostgreSQL: its appends fire no trigger, so users are always read. */
    private readonly cachesUsers: boolean,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /** Whether the session is open at `now`: from the cache, or `load` (its expiry if open, undefined if not). */
  async sessionIsOpen(sessionId: string, now: Date, load: () => Promise<Date | undefined>): Promise<boolean> {
    const known = this.listening ? this.sessions.get(sessionId) : undefined;
    if (known !== undefined && known > now) return true;
    const before = this.invalidations;
    const expiresAt = await load();
    if (expiresAt === undefined || expiresAt <= now) return false;
    if (this.listening && before === this.invalidations) remember(this.sessions, sessionId, expiresAt, this.capacity);
    return true;
  }

  /** The user as their stream says now: from the cache, or `load`. */
  async user(userId: string, load: () => Promise<ActiveUser | undefined>): Promise<ActiveUser | undefined> {
    const known = this.listening && this.cachesUsers ? this.users.get(userId) : undefined;
    if (known !== undefined) return known;
    const before = this.invalidations;
    const user = await load();
    if (user !== undefined && this.cachesUsers && this.listening && before === this.invalidations) remember(this.users, userId, user, this.capacity);
    return user;
  }

  invalidate(invalidation: Invalidation): void {
    this.invalidations++;
    if (invalidation.kind === 'session') this.sessions.delete(invalidation.sessionId);
    else this.users.delete(invalidation.userId);
  }

  /** After an append to `streamId` (any stream: only users' matter). */
  streamAppended(streamId: string): void {
    if (streamId.startsWith(USER_STREAM_PREFIX)) this.invalidate({ kind: 'user', userId: streamId.slice(USER_STREAM_PREFIX.length) });
  }

  /** Whether changes are being heard; any change of it empties the cache. */
  setListening(listening: boolean): void {
    this.listening = listening;
    this.forgetAll();
  }

  /** Something changed that cannot be told apart: nothing kept, and no read in flight, is kept. */
  forgetAll(): void {
    this.invalidations++;
    this.sessions.clear();
    this.users.clear();
  }

  get size(): { sessions: number; users: number } {
    return { sessions: this.sessions.size, users: this.users.size };
  }
}

/** A notification's payload (see the triggers in auth/schema.ts): `session <id>` or a user's stream id. */
export function parseInvalidation(payload: string): Invalidation | undefined {
  if (payload.startsWith('session ')) return { kind: 'session', sessionId: payload.slice('session '.length) };
  if (payload.startsWith(USER_STREAM_PREFIX)) return { kind: 'user', userId: payload.slice(USER_STREAM_PREFIX.length) };
  return undefined;
}

/** Bounded: the oldest entry goes first. */
function remember<Value>(entries: Map<string, Value>, key: string, value: Value, capacity: number): void {
  entries.delete(key);
  entries.set(key, value);
  if (entries.size > capacity) entries.delete(entries.keys().next().value!);
}
