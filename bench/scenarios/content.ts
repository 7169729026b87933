/**
 * The content routes under load, over HTTP against a whole Chronicle
 * (API and background work in one process, as `chronicle start`) on a
 * durable PostgreSQL, with the references of content-references.ts measured
 * on the same server in the same run.
 */
import { identityFeature } from '../../api/identity/index.js';
import { connectServices } from '../../app/connect-services.js';
import { features, withFeature } from '../../app/features.js';
import { startRole } from '../../app/processes.js';
import { Runtime } from '../../app/runtime.js';
import { loadConfig } from '../../infra/config/config.js';
import { createLogger } from '../../infra/logging/logger.js';
import { withCpuProfile } from '../support/cpu-profile.js';
import { measureHttpLoad } from '../support/http-load.js';
import type { LoadFigures, LoadOptions } from '../support/load.js';
import { measureBareExpressRead, measureRawAppends } from './content-references.js';

const PASSWORD = 'correct horse battery staple';
/** Signup's hash is not what is measured here. */
const BENCH_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
/** Every post's body: about 500 bytes of text. */
const BODY = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. '.repeat(5);
/** A stuck projection ends the bench with a reason rather than a hang. */
const WAIT_FOR_READ_MODELS_MS = 180_000;
const title = (i: number | string): string => `Post number ${i}`;

export interface ContentBenchOptions {
  databaseUrl: string;
  /** Per measured operation. */
  seconds: number;
  poolSize: number;
  /** Writes a CPU profile of each measured phase there (the server's thread; the HTTP load runs in a worker thread). */
  cpuProfileDir?: string;
}

export interface ContentBenchResult {
  /** Measured before the routes, on a server that has just started (its projections setting up and catching up). */
  rawAppend: LoadFigures;
  bareRead: LoadFigures;
  /** The same references measured again after the routes, on a server whose read models have caught up. */
  again?: { rawAppend: LoadFigures; bareRead: LoadFigures };
  /** By route; absent when the server has no posts routes yet. */
  routes?: {
    create: LoadFigures;
    update: LoadFigures;
    getOne: LoadFigures;
    list: LoadFigures;
  };
  postsSeeded: number;
}

export const CONTENT_CONCURRENCY = { http: 32, rawAppend: 16 } as const;

export async function contentBenchmark(options: ContentBenchOptions): Promise<ContentBenchResult> {
  const logger = createLogger('silent');
  const runtime = new Runtime(logger);
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl,
    DB_POOL_SIZE: String(options.poolSize),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_SIGNUP_PER_IP: '1000',
  });
  const http: LoadOptions = { seconds: options.seconds, concurrency: CONTENT_CONCURRENCY.http };
  try {
    const services = await connectServices(runtime, config, logger, withFeature(features, identityFeature({ scrypt: BENCH_SCRYPT })));
    const server = await startRole(runtime, services, 'start');
    const client = new ContentClient(server.url);
    await client.signup(`author-${Date.now()}@example.com`);

    const profiled = <T>(name: string, work: () => Promise<T>): Promise<T> => withCpuProfile(options.cpuProfileDir, `content-${name}`, work);
    const measureReferences = async (when: string) => ({
      rawAppend: await profiled(`raw-append-${when}`, () => measureRawAppends(services.eventStore, { seconds: options.seconds, concurrency: CONTENT_CONCURRENCY.rawAppend })),
      bareRead: await profiled(`bare-read-${when}`, () => measureBareExpressRead({ databaseUrl: options.databaseUrl, poolSize: options.poolSize, rows: 10_000, title, body: BODY }, http)),
    });
    const { rawAppend, bareRead } = await measureReferences('before');
    if (!(await client.hasPosts())) return { rawAppend, bareRead, postsSeeded: 0 };

    // The load runs in a worker thread: its fetches and their JSON must not share the server's event loop.
    const base = server.url;
    const headers = client.headers();
    const create = await profiled('create', () => measureHttpLoad(http, { base, headers, method: 'POST', path: '/api/posts', body: { title: title('{i}'), body: BODY, format: 'plain' }, status: 201 }));
    const ids = create.ids;
    // Random posts among thousands: concurrent updates rarely meet on one stream, as with many authors.
    const update = await profiled('update', () => measureHttpLoad(http, { base, headers, method: 'PUT', path: '/api/posts/{id}', ids, body: { title: `${title('{i}')}, edited`, body: BODY }, status: 200 }));
    const lastPosition = [create.lastPosition, update.lastPosition].reduce<string>((highest, position) => (position !== null && BigInt(position) > BigInt(highest) ? position : highest), '0');
    // Reads measure the read model, not its catching up with the writes above.
    await client.waitForPosition(`/api/posts/${ids[0]}`, lastPosition);
    const getOne = await profiled('get-one', () => measureHttpLoad(http, { base, headers, method: 'GET', path: '/api/posts/{id}', ids, status: 200 }));
    const list = await profiled('list', () => measureHttpLoad(http, { base, headers, method: 'GET', path: '/api/posts?limit=20', status: 200 }));
    // A reference measured once, on a server still starting, may be depressed by that start: measured again once all is quiet.
    const again = await measureReferences('after');
    return { rawAppend, bareRead, again, routes: { create: create.figures, update: update.figures, getOne: getOne.figures, list: list.figures }, postsSeeded: ids.length };
  } finally {
    await runtime.stop();
  }
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

/** One signed-up author; every request carries their bearer token. */
class ContentClient {
  private token = '';

  constructor(private readonly baseUrl: string) {}

  async signup(email: string): Promise<void> {
    const answer = await this.send<{ accessToken: string }>('POST', '/auth/signup', 201, { email, password: PASSWORD });
    this.token = answer.accessToken;
  }

  /** Whether the server serves the posts routes (they land separately from this bench). */
  async hasPosts(): Promise<boolean> {
    const response = await fetch(`${this.baseUrl}/api/posts?limit=1`, { headers: this.headers() });
    await response.arrayBuffer();
    return response.status !== 404;
  }

  /** Reads with X-Min-Position until the read models have caught up (a 504 is the wait timing out, not an error). */
  async waitForPosition(path: string, position: string): Promise<void> {
    const deadline = Date.now() + WAIT_FOR_READ_MODELS_MS;
    while (Date.now() < deadline) {
      const response = await fetch(`${this.baseUrl}${path}`, { headers: { ...this.headers(), 'x-min-position': position } });
      const text = await response.text();
      if (response.status === 200) return;
      if (response.status !== 504) throw new Error(`GET ${path} with X-Min-Position: ${response.status}: ${text.slice(0, 200)}`);
    }
    throw new Error(`the read models did not reach position ${position} in ${WAIT_FOR_READ_MODELS_MS / 1000} s`);
  }

  async send<T = unknown>(method: string, path: string, status: number, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...this.headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extraHeaders },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${response.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  headers(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }
}
