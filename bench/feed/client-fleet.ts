import { fileURLToPath } from 'node:url';
import type { ClientProcessApi, ConnectResult } from './client-api.js';
import { ChildProcessHandle } from './child-rpc.js';

const CLIENT_SCRIPT = fileURLToPath(new URL('./client-process.ts', import.meta.url));
/** Handshakes in flight per client process: enough to connect 10,000 sockets in seconds, few enough not to overflow the server's accept queue. */
const CONNECT_CONCURRENCY = 32;

/** Every marked arrival of every client process, in one place. */
export interface FleetReport {
  seqs: Float64Array[];
  times: Float64Array[];
  messages: number;
  bytes: number;
  unmarked: number;
  closes: Record<string, number>;
  open: Record<string, number>;
  /** Summed over the client processes, bytes. */
  clientRss: number;
  /** CPU time of all client processes since `record`, ms. */
  clientCpuMs: number;
}

/** The client processes of the feed bench, driven together: sockets are spread evenly over them. */
export class ClientFleet {
  private constructor(private readonly processes: ChildProcessHandle<ClientProcessApi>[]) {}

  static start(processes: number): ClientFleet {
    return new ClientFleet(Array.from({ length: processes }, () => new ChildProcessHandle<ClientProcessApi>(CLIENT_SCRIPT)));
  }

  get size(): number {
    return this.processes.length;
  }

  /** Opens one socket per token in `group`, spread round-robin over the processes; throws unless every one connected (and subscribed). */
  async connect(group: string, url: string, tokens: readonly (string | null)[], subscribe: string | null): Promise<void> {
    const shares = this.processes.map((_, index) => tokens.filter((__, tokenIndex) => tokenIndex % this.processes.length === index));
    const results: ConnectResult[] = await Promise.all(
      this.processes.map((child, index) => child.call('connect', { group, url, tokens: shares[index]!, subscribe, concurrency: CONNECT_CONCURRENCY })),
    );
    const failed = results.reduce((sum, result) => sum + result.failed, 0);
    if (failed > 0) {
      const errors = [...new Set(results.flatMap((result) => result.errors))].join('; ');
      throw new Error(`${failed} of ${tokens.length} sockets to ${url} did not connect: ${errors}`);
    }
  }

  async record(): Promise<void> {
    await Promise.all(this.processes.map((child) => child.call('record', null)));
  }

  async report(): Promise<FleetReport> {
    const reports = await Promise.all(this.processes.map((child) => child.call('report', null)));
    const closes: Record<string, number> = {};
    const open: Record<string, number> = {};
    for (const report of reports) {
      for (const [code, count] of Object.entries(report.closes)) closes[code] = (closes[code] ?? 0) + count;
      for (const [group, count] of Object.entries(report.open)) open[group] = (open[group] ?? 0) + count;
    }
    return {
      seqs: reports.map((report) => report.seqs),
      times: reports.map((report) => report.times),
      messages: reports.reduce((sum, report) => sum + report.messages, 0),
      bytes: reports.reduce((sum, report) => sum + report.bytes, 0),
      unmarked: reports.reduce((sum, report) => sum + report.unmarked, 0),
      closes,
      open,
      clientRss: reports.reduce((sum, report) => sum + report.rss, 0),
      clientCpuMs: reports.reduce((sum, report) => sum + report.cpuMs, 0),
    };
  }

  /** How many marked messages have arrived so far, counted in every process. */
  async marked(): Promise<number> {
    const progress = await Promise.all(this.processes.map((child) => child.call('progress', null)));
    return progress.reduce((sum, each) => sum + each.marked, 0);
  }

  async disconnect(group: string): Promise<void> {
    await Promise.all(this.processes.map((child) => child.call('disconnect', { group })));
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((child) => child.kill()));
  }
}
