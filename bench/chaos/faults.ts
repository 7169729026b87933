import pg from 'pg';
import type { OwnPostgres } from '../../tests/support/own-postgres.js';
import type { TcpProxy } from '../../tests/support/tcp-proxy.js';

export type FaultKind = 'stop-immediate' | 'stop-fast' | 'terminate-backends' | 'blackhole' | 'cut';
export const FAULT_KINDS: readonly FaultKind[] = ['stop-immediate', 'stop-fast', 'terminate-backends', 'blackhole', 'cut'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Does one fault and undoes it; resolves when the database is reachable again. */
export async function inflict(kind: FaultKind, server: OwnPostgres, proxy: TcpProxy): Promise<void> {
  switch (kind) {
    case 'stop-immediate':
    case 'stop-fast':
      await server.stop(kind === 'stop-immediate' ? 'immediate' : 'fast');
      await sleep(1_000 + Math.random() * 2_000);
      await server.restart();
      return;
    case 'terminate-backends':
      await terminateBackends(server.url);
      return;
    case 'blackhole':
      proxy.blackhole();
      await sleep(5_000);
      proxy.heal();
      return;
    case 'cut':
      proxy.cut();
      return;
    default: {
      const unknown: never = kind;
      throw new Error(`unknown fault ${String(unknown)}`);
    }
  }
}

async function terminateBackends(url: string): Promise<void> {
  const admin = new pg.Client(url);
  await admin.connect();
  try {
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND datname = current_database()`,
    );
  } finally {
    await admin.end();
  }
}
