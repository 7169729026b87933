import { expect } from '@jest/globals';
import type { Role } from '../../domain/user/roles.js';
import { GOOD_PASSWORD, uniqueEmail } from './identity-harness.js';

export interface AuthAnswer {
  user: { id: string; email: string; emailVerified: boolean; displayName: string; roles: Role[]; tenantId: string };
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  sessionId: string;
}

export interface ErrorAnswer {
  error: { code: string; message: string; details?: Array<Record<string, unknown>> };
}

export interface CallOptions {
  /** An access token or an API key, sent as Authorization: Bearer. */
  bearer?: string;
  headers?: Record<string, string>;
  /** Sent as is: a string for raw (e.g. malformed) JSON, anything else JSON-encoded. */
  body?: unknown;
}

/** fetch against a running app, JSON in and out, as a client would call it. */
export class HttpClient {
  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    return fetch(`${this.baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
  }

  get(path: string, options?: CallOptions) {
    return this.call('GET', path, options);
  }

  post(path: string, body: unknown, options: CallOptions = {}) {
    return this.call('POST', path, { ...options, body });
  }

  delete(path: string, options?: CallOptions) {
    return this.call('DELETE', path, options);
  }

  /** A fresh account over POST /auth/signup; fails the test unless it answers 201. */
  async signup(fields: { email?: string; password?: string; displayName?: string; invitationToken?: string } = {}, headers?: Record<string, string>): Promise<AuthAnswer> {
    const body = { email: fields.email ?? uniqueEmail(), password: fields.password ?? GOOD_PASSWORD, ...fields };
    return expectJson<AuthAnswer>(await this.post('/auth/signup', body, headers ? { headers } : {}), 201);
  }

  async login(email: string, password = GOOD_PASSWORD): Promise<AuthAnswer> {
    return expectJson<AuthAnswer>(await this.post('/auth/login', { email, password }), 200);
  }
}

/** The status and the JSON body, with the body in the failure message when the status is wrong. */
export async function expectJson<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(`${response.status} ${text}`).toMatch(new RegExp(`^${status} `));
  return (text ? JSON.parse(text) : undefined) as T;
}

/** An error answer in the contract's format, with its code. */
export async function expectError(response: Response, status: number, code: string): Promise<ErrorAnswer['error']> {
  const body = await expectJson<ErrorAnswer>(response, status);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  return body.error;
}

// Its own module, so that what runs outside jest (the console bench) can take it without jest's globals.
export { GENEROUS_LIMITS_ENV } from './generous-limits.js';
