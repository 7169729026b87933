import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import type { Logger } from '../../logging/logger.js';
import { EventStoreUnavailableError } from '../errors.js';
import { describe, isUnreachable } from './client-errors.js';
import { InvalidConnectionStringError, scrub, type KurrentDbTarget } from './connection-string.js';
import { probe, type ProbeResult } from './health-probe.js';

export interface ConnectionSettings {
  target: KurrentDbTarget;
  logger: Logger;
  connectTimeoutMs: number;
  /** Where the connection string came from (`EVENTSTORE_URL`), named in the log so an operator knows what to fix. */
  variable?: string;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
const CLOSE_TIMEOUT_MS = 1_000;

/** Our own deadline passed before the client answered (it has none on first contact). */
class NoAnswerError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/**
 * Owns the client and knows whether the server is reachable. While it is not, calls
 * fail at once and a background probe retries with backoff; the first failure and the
 * recovery are each logged once. A client that waited on a silent server can hold a
 * promise that never settles (the server-features query has no deadline), so after an
 * outage the next call gets a fresh client.
 */
export class KurrentDbConnection {
  private client: KurrentDBClient;
  private grpcUsed = false;
  private stale = false;
  private state: 'unknown' | 'up' | 'down' = 'unknown';
  private reason = '';
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private probing: Promise<ProbeResult> | undefined;
  private closed = false;

  constructor(private readonly settings: ConnectionSettings) {
    this.client = createClient(settings.target);
  }

  get display(): string {
    return this.settings.target.display;
  }

  /** True once the last probe or call found the server answering. */
  get reachable(): boolean {
    return this.state === 'up';
  }

  /** The server as the log names it: its address and the variable that set it. */
  private get logged(): string {
    const { variable } = this.settings;
    return variable ? `${this.display} (${variable})` : this.display;
  }

  /** Bound on one call: the connection string's `defaultDeadline`, as the client itself uses. */
  get operationTimeoutMs(): number {
    return this.settings.target.defaultDeadlineMs;
  }

  /** Probes now, within connectTimeoutMs; records the answer and returns it. */
  async check(): Promise<ProbeResult> {
    this.probing ??= probe(this.settings.target, this.settings.connectTimeoutMs).finally(() => {
      this.probing = undefined;
    });
    const result = await this.probing;
    if (result.ok) {
      this.markUp();
      return result;
    }
    const reason = scrub(result.reason, this.settings.target);
    this.markDown(reason);
    return { ok: false, reason };
  }

  unavailable(): EventStoreUnavailableError {
    return new EventStoreUnavailableError(`EventStoreDB at ${this.display} unreachable: ${this.reason || 'unknown reason'}`);
  }

  /** Throws at once while the server is known to be down or the store is closed. */
  assertUsable(): void {
    if (this.closed) throw new EventStoreUnavailableError(`EventStoreDB at ${this.display}: the event store is closed`);
    if (this.state === 'down') throw this.unavailable();
  }

  /**
   * Runs one client call under our own deadline. `grpc` marks calls that open a gRPC
   * channel (appends, subscriptions); reads go through the client's Rust bridge.
   */
  async call<T>(action: (client: KurrentDBClient) => Promise<T>, options: { grpc: boolean; timeoutMs?: number }): Promise<T> {
    this.assertUsable();
    const client = this.currentClient(options.grpc);
    try {
      return await withDeadline(action(client), options.timeoutMs ?? this.operationTimeoutMs);
    } catch (error) {
      // A gRPC call left hanging may be stuck behind the client's server-features query: start afresh.
      if (error instanceof NoAnswerError && options.grpc) this.stale = true;
      throw await this.translate(error);
    }
  }

  /** The client for a call that manages its own lifetime (a subscription). */
  clientFor(grpc: boolean): KurrentDBClient {
    this.assertUsable();
    return this.currentClient(grpc);
  }

  /** Turns "could not reach the server" into EventStoreUnavailableError; anything else passes through. */
  async translate(error: unknown): Promise<unknown> {
    if (error instanceof EventStoreUnavailableError) return error;
    if (!(error instanceof NoAnswerError) && !isUnreachable(error)) return error;
    // The probe tells a dead server from a slow or momentarily refusing one, and gives a readable reason.
    const health = await this.check();
    if (!health.ok) return this.unavailable();
    const what = error instanceof NoAnswerError ? error.message : scrub(describe(error), this.settings.target);
    return new EventStoreUnavailableError(`EventStoreDB at ${this.display} unavailable: ${what}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    await disposeClient(this.client, this.grpcUsed);
  }

  private currentClient(grpc: boolean): KurrentDBClient {
    if (this.stale) {
      void disposeClient(this.client, this.grpcUsed);
      this.client = createClient(this.settings.target);
      this.grpcUsed = false;
      this.stale = false;
    }
    if (grpc) this.grpcUsed = true;
    return this.client;
  }

  private markUp(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryMs = FIRST_RETRY_MS;
    if (this.state === 'down' && !this.closed) this.settings.logger.info(`EventStoreDB at ${this.logged} reachable again`);
    this.state = 'up';
  }

  private markDown(reason: string): void {
    this.reason = reason;
    this.stale = true;
    if (this.state === 'down') {
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    } else {
      this.state = 'down';
      this.retryMs = FIRST_RETRY_MS;
      if (!this.closed) this.settings.logger.warn(`EventStoreDB at ${this.logged} unreachable: ${reason}; retrying`);
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed) void this.check();
    }, this.retryMs);
    this.retryTimer.unref();
  }
}

function createClient(target: KurrentDbTarget): KurrentDBClient {
  try {
    return KurrentDBClient.connectionString(target.clientConnectionString);
  } catch (error) {
    throw new InvalidConnectionStringError(`EventStoreDB connection string ${target.display}: ${scrub(describe(error), target)}`);
  }
}

/** `dispose` only cancels streams; closing the channel also ends unary calls stuck on a silent server. */
async function disposeClient(client: KurrentDBClient, grpcUsed: boolean): Promise<void> {
  await withDeadline(client.dispose(), CLOSE_TIMEOUT_MS).catch(() => undefined);
  if (!grpcUsed) return;
  // Not public API: the client has no close. Guarded so a future client without it still works.
  const { getChannel } = client as unknown as { getChannel?: () => Promise<{ close(): void }> };
  if (typeof getChannel !== 'function') return;
  const channel = await withDeadline(getChannel(), CLOSE_TIMEOUT_MS).catch(() => undefined);
  channel?.close();
}

function withDeadline<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new NoAnswerError(timeoutMs)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
