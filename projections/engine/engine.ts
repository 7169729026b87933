import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Registry } from 'prom-client';
import { Upcasters } from '../../domain/shared/upcasting.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import type { Logger } from '../../infra/logging/logger.js';
import { validateProjections, type AnyProjection } from '../projection.js';
import { errorMessage } from './errors.js';
import type { LagReading } from './live-progress.js';
import type { LogCounter } from './log-counter.js';
import { ProjectionMetrics } from './metrics.js';
import { OwnedProjection } from './owned-projection.js';
import { AdvisoryLocks } from './ownership.js';
import { ensureProjectionRow } from './projection-rows.js';
import { defaultRunnerSettings, type RunnerSettings } from './runner-context.js';

export interface ProjectionEngineOptions {
  knex: Knex;
  eventStore: EventStore;
  /** For the dedicated connections: the one that holds the ownership locks, and a replay's index builds. */
  connectionString: string;
  projections: readonly AnyProjection[];
  /** The installation's upcasters: every event reaches apply at its current schema version. None unless given. */
  upcasters?: Upcasters;
  counter: LogCounter;
  logger: Logger;
  /** Metrics go here; omit to record none. */
  registry?: Registry;
  /** Shown in the status as the owner; defaults to host:pid:random. */
  ownerId?: string;
  /** How often a worker tries to take projections nobody owns (the takeover delay after a crash). */
  claimIntervalMs?: number;
  /** How long to leave a projection whose stored version is newer than this code. */
  newerVersionBackoffMs?: number;
  settings?: Partial<RunnerSettings>;
}

/**
 * The worker side: a BackgroundService that owns whichever projections no
 * other worker owns, and runs them. Any number may run against one database.
 */
export class ProjectionEngine {
  readonly name = 'projections';
  private readonly locks: AdvisoryLocks;
  private readonly owned = new Map<string, { key: number; runner: OwnedProjection }>();
  private readonly lockKeys = new Map<string, number>();
  private readonly leftAlone = new Map<string, number>();
  private readonly settings: RunnerSettings;
  private readonly metrics: ProjectionMetrics | undefined;
  private readonly ownerId: string;
  private readonly upcasters: Upcasters;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = true;

  constructor(private readonly options: ProjectionEngineOptions) {
    validateProjections(options.projections);
    this.settings = { ...defaultRunnerSettings, ...options.settings };
    this.upcasters = options.upcasters ?? new Upcasters();
    this.ownerId = options.ownerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.locks = new AdvisoryLocks(options.connectionString, (keys) => this.lost(keys));
    this.metrics = options.registry ? new ProjectionMetrics(options.registry, () => this.lagOfOwned()) : undefined;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.all([...this.owned.values()].map(({ runner }) => runner.stop()));
    this.owned.clear();
    await this.locks.close();
  }

  /** Names of the projections this process owns now. */
  ownedProjections(): string[] {
    return [...this.owned.keys()];
  }

  private tick(): Promise<void> {
    this.ticking = this.claimUnowned()
      .catch((error: unknown) => this.options.logger.warn({ err: errorMessage(error) }, 'projection ownership check failed'))
      .finally(() => {
        if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.options.claimIntervalMs ?? 1_000);
      });
    return this.ticking;
  }

  private async claimUnowned(): Promise<void> {
    const now = Date.now();
    const candidates = this.options.projections.filter((p) => !this.owned.has(p.name) && (this.leftAlone.get(p.name) ?? 0) <= now);
    if (candidates.length === 0 || this.stopped) return;
    const byKey = new Map<number, AnyProjection>();
    for (const projection of candidates) {
      let key = this.lockKeys.get(projection.name);
      if (key === undefined) {
        key = await ensureProjectionRow(this.options.knex, projection.name, projection.version);
        this.lockKeys.set(projection.name, key);
      }
      byKey.set(key, projection);
    }
    for (const key of await this.locks.tryAcquire([...byKey.keys()])) {
      const projection = byKey.get(key)!;
      if (this.stopped) {
        await this.locks.release(key);
        continue;
      }
      this.own(projection, key);
    }
  }

  private own(projection: AnyProjection, key: number): void {
    const { knex, eventStore, counter, logger, connectionString } = this.options;
    const runner = new OwnedProjection(
      {
        knex,
        connectionString,
        store: eventStore,
        counter,
        projection,
        upcasters: this.upcasters,
        settings: this.settings,
        logger,
        ownerId: this.ownerId,
        onCommitted: (applied) => this.metrics?.eventsProcessed.inc({ projection: projection.name }, applied),
      },
      () => void this.leave(projection.name, this.options.newerVersionBackoffMs ?? 30_000),
    );
    this.owned.set(projection.name, { key, runner });
    runner.start();
  }

  private async leave(name: string, backoffMs: number): Promise<void> {
    const entry = this.owned.get(name);
    if (!entry) return;
    this.owned.delete(name);
    this.leftAlone.set(name, Date.now() + backoffMs);
    await entry.runner.stop();
    await this.locks.release(entry.key);
  }

  /** The lock connection dropped: the locks are gone, so stop those runners (their fences stop them anyway). */
  private lost(keys: number[]): void {
    this.options.logger.warn({ keys }, 'projection ownership connection lost');
    for (const [name, entry] of [...this.owned]) {
      if (!keys.includes(entry.key)) continue;
      this.owned.delete(name);
      void entry.runner.stop();
    }
  }

  private lagOfOwned(): Array<{ projection: string; reading: LagReading }> {
    return [...this.owned].map(([projection, { runner }]) => ({ projection, reading: runner.progress.reading() }));
  }
}

