import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import { EventStoreUnavailableError } from '../../infra/event-store/errors.js';
import { KurrentDbEventStore } from '../../infra/event-store/kurrentdb/kurrentdb-event-store.js';
import { createLogger, type Logger } from '../../infra/logging/logger.js';
import { newEvent } from '../support/events.js';
import { freePort } from '../support/free-port.js';

const PASSWORD = 'p4ss-w0rd-never-shown';
const CONNECT_TIMEOUT_MS = 500;
const TEST_TIMEOUT_MS = 10_000;

interface FakeServer {
  port: number;
  stop(): Promise<void>;
}

/** Accepts TCP connections and never says a word: the case where the client hangs forever. */
async function silentServer(port = 0): Promise<FakeServer> {
  return listen(port, () => undefined);
}

/** Answers `GET /health/live` like KurrentDB but stays silent on gRPC: up, yet every call hangs. */
async function healthOnlyServer(port = 0): Promise<FakeServer> {
  return listen(port, (socket) =>
    socket.once('data', (chunk: Buffer) => {
      if (chunk.toString('latin1').startsWith('GET ')) socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
    }),
  );
}

async function listen(port: number, onConnection: (socket: Socket) => void): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function capturingLogger(): { logger: Logger; messages: () => string[] } {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  return { logger, messages: () => lines.map((line) => String((JSON.parse(line) as { msg?: unknown }).msg)) };
}

function connectionString(port: number, scheme = 'kurrentdb'): string {
  return `${scheme}://admin:${PASSWORD}@127.0.0.1:${port}?tls=false&defaultDeadline=1000`;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected a rejection');
  return outcome;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const unreachable: [string, () => Promise<{ port: number }>][] = [
  ['a closed port', async () => ({ port: await freePort() })],
  [
    'a server that accepts connections and never answers',
    async () => {
      const server = await silentServer();
      cleanups.push(server.stop);
      return server;
    },
  ],
];

describe.each(unreachable)('KurrentDB adapter against %s', (_name, startTarget) => {
  async function connect(scheme?: string): Promise<{ store: KurrentDbEventStore; port: number; messages: () => string[] }> {
    const { port } = await startTarget();
    const { logger, messages } = capturingLogger();
    const store = await KurrentDbEventStore.connect({ connectionString: connectionString(port, scheme), logger, connectTimeoutMs: CONNECT_TIMEOUT_MS });
    cleanups.push(() => store.close());
    return { store, port, messages };
  }

  it(
    'connects anyway and logs one line naming the server without its password',
    async () => {
      const { port, messages } = await connect();
      const lines = messages().filter((message) => message.includes('unreachable'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^EventStoreDB at kurrentdb://admin:\\*\\*\\*@127\\.0\\.0\\.1:${port}.* unreachable: .+`));
      expect(messages().join('\n')).not.toContain(PASSWORD);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'reports itself unhealthy, with the server named and the password hidden',
    async () => {
      const { store, port } = await connect();
      const health = await store.health();
      expect(health.ok).toBe(false);
      expect(health.detail).toMatch(new RegExp(`^EventStoreDB at kurrentdb://admin:\\*\\*\\*@127\\.0\\.0\\.1:${port}.* unreachable: .+`));
      expect(health.detail).not.toContain(PASSWORD);
      expect(health.detail).not.toContain('\n');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'rejects appends, reads and subscriptions with EventStoreUnavailableError instead of hanging',
    async () => {
      const { store, port } = await connect();
      const errors = [
        await failure(store.appendToStream('post-1', [newEvent()])),
        await failure(store.readStream('post-1')),
        await failure(store.readAll({ maxCount: 10 })),
        await failure(store.headPosition()),
        await failure(
          (async () => {
            for await (const item of store.subscribeToAll()) void item;
          })(),
        ),
      ];
      for (const error of errors) {
        expect(error).toBeInstanceOf(EventStoreUnavailableError);
        expect(error.message).toContain(`127.0.0.1:${port}`);
        expect(error.message).not.toContain(PASSWORD);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'accepts the esdb:// scheme too, and closes',
    async () => {
      const { store, messages } = await connect('esdb');
      expect(messages().filter((message) => message.includes('unreachable'))).toHaveLength(1);
      expect(messages().join('\n')).toContain('esdb://admin:***@');
      await expect(store.readStream('post-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.close()).resolves.toBeUndefined();
    },
    TEST_TIMEOUT_MS,
  );
});

describe('KurrentDB adapter when the server comes and goes', () => {
  it(
    'logs once when the server is reachable again and reports healthy',
    async () => {
      const port = await freePort();
      const { logger, messages } = capturingLogger();
      const store = await KurrentDbEventStore.connect({ connectionString: connectionString(port), logger, connectTimeoutMs: CONNECT_TIMEOUT_MS });
      cleanups.push(() => store.close());
      expect((await store.health()).ok).toBe(false);

      const server = await healthOnlyServer(port);
      cleanups.push(server.stop);
      await until(() => messages().some((message) => message.includes('reachable again')), 8_000);
      expect(messages().filter((message) => message.includes('reachable again'))).toEqual([
        `EventStoreDB at kurrentdb://admin:***@127.0.0.1:${port}?tls=false&defaultDeadline=1000 reachable again`,
      ]);
      expect(messages().filter((message) => message.includes('unreachable'))).toHaveLength(1);
      expect(await store.health()).toMatchObject({ ok: true });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'bounds calls to a server that is up but never answers them by the connection string deadline',
    async () => {
      const server = await healthOnlyServer();
      cleanups.push(server.stop);
      const { logger } = capturingLogger();
      const store = await KurrentDbEventStore.connect({ connectionString: connectionString(server.port), logger, connectTimeoutMs: CONNECT_TIMEOUT_MS });
      cleanups.push(() => store.close());
      expect((await store.health()).ok).toBe(true);

      const append = await failure(store.appendToStream('post-1', [newEvent()]));
      const read = await failure(store.readStream('post-1'));
      for (const error of [append, read]) {
        expect(error).toBeInstanceOf(EventStoreUnavailableError);
        expect(error.message).toContain(`127.0.0.1:${server.port}`);
        expect(error.message).not.toContain(PASSWORD);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
