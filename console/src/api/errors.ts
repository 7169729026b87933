/** An answer in the API's error format: `{ error: { code, message, details? } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ReadonlyArray<Record<string, unknown>> = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The credential is gone for good (401 after a refresh was tried): the person must sign in again. */
export class SignedOutError extends Error {
  constructor(message = 'Your session has ended: sign in again.') {
    super(message);
    this.name = 'SignedOutError';
  }
}

/** No answer at all: the server is down or the network is cut. */
export class ServerUnreachableError extends Error {
  constructor(override readonly cause: unknown) {
    super('The server cannot be reached. It may be restarting; try again in a moment.');
    this.name = 'ServerUnreachableError';
  }
}

/** What to tell a person about a failure, whatever it was. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.status} ${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
