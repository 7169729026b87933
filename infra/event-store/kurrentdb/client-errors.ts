import { ErrorType } from '@kurrent/kurrentdb-client';

/**
 * How the client reports failures: its CommandError classes carry a `type`; some
 * calls (append before the server's features are known) throw a bare grpc-js error
 * with a numeric `code`; the Rust bridge used for reads throws errors named after
 * the kind. These helpers look at all three shapes.
 */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

type ErrorShape = { type?: unknown; code?: unknown; name?: unknown; message?: unknown };

function shape(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
}

export function errorType(error: unknown): string | undefined {
  const type = shape(error).type;
  return typeof type === 'string' ? type : undefined;
}

/** The server could not be reached at all (refused, reset, no route, DNS). */
export function isUnreachable(error: unknown): boolean {
  const { code, name } = shape(error);
  return errorType(error) === ErrorType.UNAVAILABLE || code === GRPC_UNAVAILABLE || name === 'UnavailableError';
}

/** A deadline passed: ours on the client side, or the server's own request timeout. */
export function isTimeout(error: unknown): boolean {
  const type = errorType(error);
  return type === ErrorType.DEADLINE_EXCEEDED || type === ErrorType.TIMEOUT || shape(error).code === GRPC_DEADLINE_EXCEEDED;
}

export function isStreamNotFound(error: unknown): boolean {
  return errorType(error) === ErrorType.STREAM_NOT_FOUND || shape(error).name === 'StreamNotFoundError';
}

export function isAccessDenied(error: unknown): boolean {
  return errorType(error) === ErrorType.ACCESS_DENIED || shape(error).name === 'AccessDeniedError';
}

/** One line describing a client error; the Rust bridge's messages are sometimes only the class name. */
export function describe(error: unknown): string {
  const { message } = shape(error);
  const text = typeof message === 'string' && message.trim() ? message : (errorType(error) ?? String(error));
  return text.split('\n')[0]!.replace(/\s*Resolution note:\s*$/, '').trim();
}
