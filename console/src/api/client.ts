import { ApiError, ServerUnreachableError, SignedOutError } from './errors.js';
import { sessionStore } from './session-store.js';
import type { AuthAnswer } from './types.js';

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Send no token even when signed in (sign-in itself). */
  anonymous?: boolean;
}

type Listener = (session: AuthAnswer | undefined, reason?: SignedOutError) => void;

/**
 * The console's only way to the server: the public HTTP API, same origin,
 * with the access token as a bearer. A 401 is met with one refresh (the
 * token may simply have expired) and one retry; a second 401, or a refused
 * refresh, signs the person out with a reason the sign-in page shows.
 */
export class ApiClient {
  private session: AuthAnswer | undefined = sessionStore.load();
  private refreshing: Promise<boolean> | undefined;
  private readonly listeners = new Set<Listener>();

  get current(): AuthAnswer | undefined {
    return this.session;
  }

  /** The access token for the feed, asked at every (re)connect. */
  accessToken(): string | undefined {
    return this.session?.accessToken;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async signIn(email: string, password: string): Promise<AuthAnswer> {
    const answer = await this.request<AuthAnswer>('POST', '/auth/login', { body: { email, password }, anonymous: true });
    this.setSession(answer);
    return answer;
  }

  /** Adopts a session started elsewhere (the OIDC callback). */
  adopt(answer: AuthAnswer): void {
    this.setSession(answer);
  }

  async signOut(): Promise<void> {
    const session = this.session;
    this.setSession(undefined);
    if (session) await this.request('POST', '/auth/logout', { body: { refreshToken: session.refreshToken }, anonymous: true }).catch(() => undefined);
  }

  /** Ends the session on this side after the server refused it (a 401 the refresh did not cure, or a feed close 4001 that a refresh did not cure). */
  signedOut(reason: SignedOutError = new SignedOutError()): void {
    this.setSession(undefined, reason);
  }

  /** Tries to get a fresh access token; false when the session is over. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const first = await this.send(method, path, options);
    if (first.status !== 401 || options.anonymous || !this.session) return this.read<T>(first);
    if (!(await this.refresh())) throw new SignedOutError();
    const second = await this.send(method, path, options);
    if (second.status === 401) {
      this.signedOut();
      throw new SignedOutError();
    }
    return this.read<T>(second);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body === undefined ? {} : { body });
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  private async doRefresh(): Promise<boolean> {
    const session = this.session;
    if (!session) return false;
    const response = await this.send('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken }, anonymous: true });
    if (response.ok) {
      this.setSession((await response.json()) as AuthAnswer);
      return true;
    }
    if (response.status === 401 || response.status === 403 || response.status === 400 || response.status === 422) {
      this.signedOut();
      return false;
    }
    throw await this.errorOf(response);
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const token = options.anonymous ? undefined : this.session?.accessToken;
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(path, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    } catch (error) {
      throw new ServerUnreachableError(error);
    }
  }

  private async read<T>(response: Response): Promise<T> {
    if (!response.ok) throw await this.errorOf(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  private async errorOf(response: Response): Promise<ApiError> {
    const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string; details?: Array<Record<string, unknown>> } } | undefined;
    const error = body?.error;
    return new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? response.statusText, error?.details ?? []);
  }

  private setSession(session: AuthAnswer | undefined, reason?: SignedOutError): void {
    this.session = session;
    if (session) sessionStore.save(session);
    else sessionStore.clear();
    for (const listener of this.listeners) listener(session, reason);
  }
}

export const api = new ApiClient();
