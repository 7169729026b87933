import {
  getProjectionStatuses,
  getReplayProgress,
  ProjectionEngine,
  retryProjection,
  skipEvent,
  startReplay,
  type ProjectionStatus,
} from '../../projections/index.js';
import { connectServices } from '../connect-services.js';
import { logCounter } from '../log-counter.js';
import type { Services } from '../services.js';
import { renderProgress } from './progress-bar.js';
import { textTable } from './text-table.js';
import { toolContext, writeLine } from './tool-context.js';

export type ProjectionsAction =
  | { kind: 'status'; json: boolean }
  | { kind: 'replay'; name: string }
  | { kind: 'retry'; name: string }
  | { kind: 'skip'; name: string; position: bigint; reason: string };

/** `chronicle projections ...`: the operator's view of the read side, in any process beside the workers. */
export async function projectionsCommand(env: NodeJS.ProcessEnv, action: ProjectionsAction): Promise<number> {
  const { config, logger, runtime } = toolContext(env);
  try {
    const services = await connectServices(runtime, config, logger);
    const deps = { ...services, counter: logCounter(services) };
    switch (action.kind) {
      case 'status': {
        const statuses = await getProjectionStatuses(deps);
        if (action.json) await writeLine(JSON.stringify(statuses, null, 2));
        else for (const line of statusTable(statuses)) await writeLine(line);
        return 0;
      }
      case 'replay':
        return await replay(services, action.name);
      case 'retry':
        await retryProjection(deps, action.name);
        await writeLine(`${action.name}: retrying from its checkpoint`);
        return 0;
      case 'skip': {
        const record = await skipEvent(deps, action.name, { position: action.position, reason: action.reason, skippedBy: `cli:${process.env.USER ?? 'operator'}` });
        await writeLine(`${action.name}: skipped ${record.eventType ?? 'event'} at ${record.position} (${record.stream ?? '?'})`);
        return 0;
      }
      default: {
        const unknown: never = action;
        throw new Error(`unknown projections action ${JSON.stringify(unknown)}`);
      }
    }
  } finally {
    await runtime.stop();
  }
}

/**
 * Starts the replay, then shows its progress until it ends. When no worker
 * owns the projection, this process runs it, so a replay also works on a
 * stopped installation.
 */
async function replay(services: Services, name: string): Promise<number> {
  const deps = { ...services, counter: logCounter(services) };
  const job = await startReplay(deps, name, `cli:${process.env.USER ?? 'operator'}`);
  const status = (await getProjectionStatuses(deps)).find((projection) => projection.name === name);
  let engine: ProjectionEngine | undefined;
  if (!status?.owner) {
    engine = new ProjectionEngine({
      knex: services.knex,
      eventStore: services.eventStore,
      connectionString: services.databaseUrl,
      projections: services.projections.filter((projection) => projection.name === name),
      upcasters: services.upcasters,
      counter: deps.counter,
      logger: services.logger,
    });
    await engine.start();
  }
  const interactive = process.stderr.isTTY === true;
  let lastPrinted = 0;
  try {
    for (;;) {
      const progress = await getReplayProgress(deps, job.jobId);
      const done = progress.state === 'completed' || progress.state === 'failed' || progress.state === 'cancelled';
      if (interactive) process.stderr.write(`\r${renderProgress(progress)}\u001b[K`);
      else if (done || Date.now() - lastPrinted >= 2_000) {
        process.stderr.write(`${renderProgress(progress)}\n`);
        lastPrinted = Date.now();
      }
      if (done) {
        if (interactive) process.stderr.write('\n');
        if (progress.state !== 'completed') {
          process.stderr.write(`replay ${progress.state}${progress.error ? ` at ${progress.error.position ?? '?'}: ${progress.error.message}` : ''}\n`);
          return 1;
        }
        await writeLine(`${name}: replayed ${progress.processed} events into generation ${progress.generation}`);
        return 0;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await engine?.stop();
  }
}

function statusTable(statuses: readonly ProjectionStatus[]): string[] {
  const header = ['NAME', 'VERSION', 'STATUS', 'CHECKPOINT', 'HEAD', 'LAG', 'EV/S', 'LAST ERROR'];
  const rows = statuses.map((status) => [
    status.name,
    String(status.version),
    status.status,
    status.checkpoint ?? '-',
    status.headPosition ?? '-',
    status.lag >= status.lagCap ? `${status.lagCap}+` : String(status.lag),
    String(Math.round(status.eventsPerSecond)),
    status.lastError ? `${status.lastError.position}: ${status.lastError.message}` : '',
  ]);
  return textTable(header, rows);
}
