import { Counter, Gauge, type Registry } from 'prom-client';
import type { LagReading } from './live-progress.js';

/** Registered on the registry given (never the global one), once per engine. */
export class ProjectionMetrics {
  readonly eventsProcessed: Counter<'projection'>;

  constructor(registry: Registry, lagOfOwned: () => Array<{ projection: string; reading: LagReading }>) {
    this.eventsProcessed = new Counter({
      name: 'chronicle_projection_events_processed_total',
      help: 'Events applied by projections owned by this process',
      labelNames: ['projection'],
      registers: [registry],
    });
    // Both read what the runners already know: a scrape never reads the log, so it
    // costs nothing and cannot fail while the event store or PostgreSQL is down.
    new Gauge({
      name: 'chronicle_projection_lag_seconds',
      help: 'Age of the oldest event a projection owned by this process has not applied yet (0 when none waits)',
      labelNames: ['projection'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { projection, reading } of lagOfOwned()) {
          if (reading.lagSeconds !== undefined) this.set({ projection }, reading.lagSeconds);
        }
      },
    });
    new Gauge({
      name: 'chronicle_projection_caught_up',
      help: '1 when a projection owned by this process has reached the head of the log, 0 while it catches up or has failed',
      labelNames: ['projection'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { projection, reading } of lagOfOwned()) this.set({ projection }, reading.caughtUp ? 1 : 0);
      },
    });
  }
}
