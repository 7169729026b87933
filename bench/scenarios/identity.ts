import { identityFeature } from '../../api/identity/index.js';
import { connectServices } from '../../app/connect-services.js';
import { features, withFeature } from '../../app/features.js';
import { startRole } from '../../app/processes.js';
import { Runtime } from '../../app/runtime.js';
import { loadConfig } from '../../infra/config/config.js';
import { createLogger } from '../../infra/logging/logger.js';
import { median, runConcurrently } from '../support/measure.js';

const PASSWORD = 'correct horse battery staple';
/**
 * Cheaper than production's scrypt (N=2^17): the scenario measures what
 * identity reads cost, which the hash would hide, and both accounts pay it alike.
 */
const BENCH_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
/** Failed logins in flight while the history is built. */
const HISTORY_CONCURRENCY = 8;

export interface IdentityBenchOptions {
  databaseUrl: string;
  failedLogins: number;
  rounds: number;
  /** Requests timed per operation, account and round. */
  samplesPerRound: number;
}

export interface IdentityBenchResult {
  /** Median milliseconds by operation and account. */
  loginMs: { busy: number; fresh: number };
  meMs: { busy: number; fresh: number };
  /** Events in the busy account's user stream when measured. */
  busyStreamEvents: number;
  failedLoginSeconds: number;
}

/**
 * Login and GET /auth/me over HTTP against a whole Chronicle API on a
 * durable PostgreSQL: an account that has recorded `failedLogins` failed
 * logins against a fresh one, measured alternately in one run.
 */
export async function identityBenchmark(options: IdentityBenchOptions): Promise<IdentityBenchResult> {
  const logger = createLogger('silent');
  const runtime = new Runtime(logger);
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_LOGIN_PER_IP: '100000000',
    RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '100000000',
    RATE_LIMIT_SIGNUP_PER_IP: '1000',
  });
  try {
    const services = await connectServices(runtime, config, logger, withFeature(features, identityFeature({ scrypt: BENCH_SCRYPT })));
    const server = await startRole(runtime, services, 'api');
    const client = new BenchClient(server.url);
    const busy = `busy-${Date.now()}@example.com`;
    const fresh = `fresh-${Date.now()}@example.com`;
    const busyUser = await client.signup(busy);
    await client.signup(fresh);

    // A 409 is a failed login whose bookkeeping lost the race on the account's stream: still a failed login.
    const failedLoginSeconds = await runConcurrently(options.failedLogins, HISTORY_CONCURRENCY, async (i) => {
      const response = await client.post('/auth/login', { email: busy, password: `wrong ${i}` });
      await response.arrayBuffer();
      if (response.status !== 401 && response.status !== 409) throw new Error(`failed login ${i} answered ${response.status}`);
    });

    const samples = { loginBusy: [] as number[], loginFresh: [] as number[], meBusy: [] as number[], meFresh: [] as number[] };
    for (let round = 0; round < options.rounds; round++) {
      for (const [email, login, me] of [
        [busy, samples.loginBusy, samples.meBusy],
        [fresh, samples.loginFresh, samples.meFresh],
      ] as const) {
        let token = '';
        for (let i = 0; i < options.samplesPerRound; i++) {
          login.push(await client.timed(async () => (token = (await client.login(email)).accessToken)));
        }
        for (let i = 0; i < options.samplesPerRound; i++) me.push(await client.timed(() => client.me(token)));
      }
    }
    const streamEvents = await services.eventStore.readStream(`user-${busyUser}`);
    return {
      loginMs: { busy: median(samples.loginBusy), fresh: median(samples.loginFresh) },
      meMs: { busy: median(samples.meBusy), fresh: median(samples.meFresh) },
      busyStreamEvents: streamEvents.length,
      failedLoginSeconds,
    };
  } finally {
    await runtime.stop();
  }
}

class BenchClient {
  constructor(private readonly baseUrl: string) {}

  post(path: string, body: unknown, bearer?: string): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
  }

  async signup(email: string): Promise<string> {
    const answer = await this.expect<{ user: { id: string } }>(await this.post('/auth/signup', { email, password: PASSWORD }), 201);
    return answer.user.id;
  }

  login(email: string): Promise<{ accessToken: string }> {
    return this.post('/auth/login', { email, password: PASSWORD }).then((response) => this.expect(response, 200));
  }

  async me(token: string): Promise<void> {
    await this.expect(await fetch(`${this.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${token}` } }), 200);
  }

  async timed(work: () => Promise<unknown>): Promise<number> {
    const started = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - started) / 1e6;
  }

  private async expect<T>(response: Response, status: number): Promise<T> {
    const text = await response.text();
    if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }
}
