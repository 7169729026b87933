import type { Position } from '../../infra/event-store/event-store.js';
import { errorMessage } from './errors.js';
import { LiveProgress } from './live-progress.js';
import { runLive } from './live-runner.js';
import { claimProjection, readProjectionRow, type ProjectionRow } from './projection-rows.js';
import { createReplayJob, findActiveReplayJob } from './replay-rows.js';
import { runReplay } from './replay-runner.js';
import { sleep } from '../../infra/sleep.js';
import { loadSkippedPositions, type RunnerContext } from './runner-context.js';
import { initialiseProjection } from './initialise.js';
import { dropUnusedGenerations, physicalTables } from './table-names.js';

/**
 * Everything this worker does for one projection while it holds its lock: the
 * live runner and, when a job asks for it, a replay beside it. Ends when
 * stopped, or when the stored version is newer than this code (a newer worker
 * must own it).
 */
export class OwnedProjection {
  private readonly stopping = new AbortController();
  private live: AbortController | undefined;
  private running: Promise<void> | undefined;
  private checkpointInMemory: Position | undefined;
  /** Read by metrics scrapes: what the live runner knows of its lag, without I/O. */
  readonly progress = new LiveProgress();

  constructor(
    private readonly context: RunnerContext,
    private readonly onNewerVersion: () => void,
  ) {}

  get checkpoint(): Position | undefined {
    return this.checkpointInMemory;
  }

  start(): void {
    this.running = Promise.all([this.liveLoop(), this.replayLoop()]).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private get signal(): AbortSignal {
    return this.stopping.signal;
  }

  private async liveLoop(): Promise<void> {
    const { context } = this;
    const { projection } = context;
    // A new owner resumes a failed projection from its checkpoint: a restart (after a fix) is a retry.
    let resumeFailed = true;
    let failures = 0;
    while (!this.signal.aborted) {
      this.live = new AbortController();
      const signal = AbortSignal.any([this.signal, this.live.signal]);
      try {
        const row = await claimProjection(context.knex, projection.name, context.ownerId);
        this.checkpointInMemory = row.checkpoint;
        if (row.version > projection.version) {
          context.logger.warn({ projection: projection.name, stored: row.version, code: projection.version }, 'a newer version owns this projection; leaving it');
          this.stopping.abort();
          this.onNewerVersion();
          return;
        }
        if (row.generation === 0) {
          await initialiseProjection(context.knex, projection, row);
          continue;
        }
        await dropUnusedGenerations(context.knex, projection, await this.tablesInUse(row));
        if (row.version < projection.version) {
          // This code cannot write the old version's tables: build the new one; the old keeps serving.
          await createReplayJob(context.knex, projection.name, projection.version, 'system: new projection version');
          await this.untilChanged(row, signal);
          continue;
        }
        if (row.state === 'failed' && !resumeFailed) {
          await this.untilChanged(row, signal);
          continue;
        }
        resumeFailed = false;
        const tables = physicalTables(projection, row.version, row.generation);
        const skipped = await loadSkippedPositions(context.knex, projection.name);
        const outcome = await runLive(context, row, tables, skipped, signal, (position) => (this.checkpointInMemory = position), this.progress);
        if (outcome === 'failed') await this.untilChanged({ ...row, state: 'failed' }, signal);
        failures = 0;
      } catch (error) {
        if (this.signal.aborted) return;
        failures++;
        context.logger.warn({ projection: projection.name, err: errorMessage(error) }, 'projection runner restarts');
        await sleep(Math.min(100 * 2 ** failures, 5_000), this.signal);
      }
    }
  }

  private async replayLoop(): Promise<void> {
    const { context } = this;
    const { projection } = context;
    while (!this.signal.aborted) {
      try {
        const job = await findActiveReplayJob(context.knex, projection.name);
        if (job && job.version === projection.version) {
          const outcome = await runReplay(context, job, this.signal);
          // The swap moved the fence: restart the live runner on the new generation now.
          if (outcome === 'completed') this.live?.abort();
          if (outcome !== 'failed') continue;
        }
      } catch (error) {
        if (this.signal.aborted) return;
        context.logger.warn({ projection: projection.name, err: errorMessage(error) }, 'replay runner restarts');
      }
      await sleep(context.settings.pollMs, this.signal);
    }
  }

  /** Waits until the row's state, fence or generation moves (a retry, a skip, a swap), polling. */
  private async untilChanged(row: ProjectionRow, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.context.settings.pollMs, signal);
      const now = await readProjectionRow(this.context.knex, row.name);
      if (!now || now.state !== row.state || now.generation !== row.generation || now.version !== row.version) return;
    }
  }

  private async tablesInUse(row: ProjectionRow) {
    const { projection, knex } = this.context;
    const active = await findActiveReplayJob(knex, projection.name);
    const live = physicalTables(projection, row.version, row.generation);
    return active ? [live, physicalTables(projection, active.version, active.generation)] : [live];
  }
}
