import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import type { PostTemplate } from './bench-posts.js';
import type { ChronicleServerApi } from './chronicle-api.js';
import { ChildProcessHandle } from './child-rpc.js';
import { SUBSCRIBE_EVERYTHING, type FeedSubject } from './feed-subject.js';
import { clockMs } from './marks.js';
import { appendBurst, createPost, templateOf, writeSteadily } from './post-writer.js';
import { signUpTenantAdmins } from './tenant-admins.js';

const SERVER_SCRIPT = fileURLToPath(new URL('./chronicle-server-process.ts', import.meta.url));
export const CHRONICLE_SUBJECT = 'chronicle';
/** The seq of the post written before anything is measured, whose envelope the burst copies. */
const TEMPLATE_SEQ = 0;

/**
 * The feed's limits, raised so the bench measures the feed, not its guards:
 * 10,000 sockets come from one address and 10 share each account, and a
 * burst may queue a client's whole share of it. Every other setting is the default.
 */
const FEED_LIMITS: Record<string, string> = {
  RATE_LIMIT_SIGNUP_PER_IP: '100000',
  ACCESS_TOKEN_TTL_SECONDS: '7200',
  // Defaults 1,000 per address and 50 per account: the idle measure holds 10,000 sockets from loopback over 20 accounts.
  FEED_MAX_CONNECTIONS_PER_IP: '100000',
  FEED_MAX_CONNECTIONS_PER_USER: '100000',
};

export interface ChronicleSubjectOptions {
  databaseUrl: string;
  poolSize: number;
  /** Readers: admins of one tenant, each with a session of their own. */
  admins: number;
}

export interface ChronicleSubject extends FeedSubject {
  template: PostTemplate;
  startProfile(): Promise<void>;
  /** Writes the V8 CPU profile taken since startProfile to `file`. */
  stopProfile(file: string): Promise<void>;
}

/** Chronicle's API in a process of its own, its tenant's admins signed up; undefined when this build serves no feed at /feed yet. */
export async function startChronicleSubject(options: ChronicleSubjectOptions): Promise<ChronicleSubject | undefined> {
  const server = new ChildProcessHandle<ChronicleServerApi>(SERVER_SCRIPT, {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_URL: options.databaseUrl,
      EVENTSTORE_URL: '',
      DB_POOL_SIZE: String(options.poolSize),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: process.env.FEED_BENCH_LOG_LEVEL ?? 'warn',
      ...FEED_LIMITS,
    },
  });
  const stopServer = async (): Promise<void> => {
    await server.call('stop', null).catch(() => undefined);
    await server.exited;
  };
  try {
    const { url } = await server.call('listen', null);
    const feedUrl = `${url.replace(/^http/, 'ws')}/feed`;
    if (!(await servesFeed(feedUrl))) {
      await stopServer();
      return undefined;
    }
    const admins = await signUpTenantAdmins(url, options.admins);
    const writer = admins.tokens[0]!;
    const store = await PostgresEventStore.connect({ connectionString: options.databaseUrl, logger: createLogger('silent'), poolSize: 16 });
    const template = await templateOf(store, (await createPost(url, writer, TEMPLATE_SEQ)).id);
    return {
      name: CHRONICLE_SUBJECT,
      feedUrl,
      pid: server.pid,
      tokens: admins.tokens,
      subscribe: SUBSCRIBE_EVERYTHING,
      template,
      startProfile: async () => void (await server.call('startProfile', null)),
      stopProfile: async (file) => void (await server.call('stopProfile', { file })),
      steady: (seqs, intervalMs) => writeSteadily(url, writer, seqs, intervalMs),
      async burst(seqs) {
        const startedAt = clockMs();
        await appendBurst(store, seqs, template);
        return startedAt;
      },
      async stop() {
        await store.close();
        await stopServer();
      },
    };
  } catch (error) {
    await stopServer();
    throw error;
  }
}

/** Whether a guest's upgrade to `feedUrl` succeeds (a build without the feed answers 404). */
function servesFeed(feedUrl: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(feedUrl);
    socket.on('open', () => {
      socket.terminate();
      resolve(true);
    });
    socket.on('unexpected-response', (_request, response) => {
      socket.terminate();
      if (response.statusCode === 404) resolve(false);
      else reject(new Error(`GET /feed as a guest answered ${response.statusCode}`));
    });
    socket.on('error', reject);
  });
}
