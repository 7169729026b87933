/** Thrown inside a commit whose fence no longer matches: another owner or a swap took over. */
export class OwnershipLostError extends Error {
  override readonly name = 'OwnershipLostError';
}

export class UnknownProjectionError extends Error {
  override readonly name = 'UnknownProjectionError';
  constructor(readonly projection: string) {
    super(`no projection named ${JSON.stringify(projection)}`);
  }
}

export class ReplayJobNotFoundError extends Error {
  override readonly name = 'ReplayJobNotFoundError';
  constructor(readonly jobId: string) {
    super(`no replay job ${jobId}`);
  }
}

/** Retry and skip only make sense for a projection (or replay) that stopped on that event. */
export class ProjectionNotFailedError extends Error {
  override readonly name = 'ProjectionNotFailedError';
}

/** Read-your-writes wait ran out of time; the API answers 504. */
export class ReadModelTimeoutError extends Error {
  override readonly name = 'ReadModelTimeoutError';
  readonly code = 'read_model_timeout';
  constructor(
    readonly position: bigint,
    /** The projections that had not reached the position, with their checkpoints. */
    readonly behind: ReadonlyArray<{ projection: string; checkpoint: string | null }>,
    readonly timeoutMs: number,
  ) {
    super(`read models ${behind.map((b) => b.projection).join(', ')} had not reached position ${String(position)} within ${timeoutMs} ms`);
  }
}

const TRANSIENT_CLASSES = ['08', '40', '53', '55', '57'];

/**
 * Errors that say nothing about the event (connection lost, deadlock,
 * serialization, out of resources, lock or statement timeout, shutdown, no
 * answer within the client's deadline): retried, never
 * recorded as a poison event.
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof OwnershipLostError) return true;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  if (code && TRANSIENT_CLASSES.some((prefix) => code.startsWith(prefix))) return true;
  const message = error instanceof Error ? error.message : '';
  return /ECONNREFUSED|ECONNRESET|EPIPE|Connection terminated|Client has encountered a connection error|Knex: Timeout acquiring a connection|Query read timeout/i.test(message);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A read model's tables do not exist yet: no worker has built it (an `api`
 * process started before any `worker`). The API answers 503, not an empty list.
 */
export class ReadModelUnavailableError extends Error {
  override readonly name = 'ReadModelUnavailableError';
  constructor(readonly projection: string, options?: { cause?: unknown; reason?: string }) {
    super(options?.reason ?? `the ${projection} read model is not built yet; it is built by the projection workers (chronicle worker or start)`, options);
  }

  /** Turns PostgreSQL's "relation does not exist" from a read model query into this error. */
  static translate(projection: string, error: unknown): unknown {
    return (error as { code?: unknown } | null)?.code === '42P01' ? new ReadModelUnavailableError(projection, { cause: error }) : error;
  }
}
