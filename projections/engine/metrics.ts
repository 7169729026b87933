import { Counter, Gauge, type Registry } from 'prom-client';

/** Registered on the registry given (never the global one), once per engine. */
export class ProjectionMetrics {
  readonly eventsProcessed: Counter<'projection'>;
  readonly lag: Gauge<'projection'>;

  constructor(registry: Registry, lagOfOwned: () => Promise<Array<{ projection: string; lag: number }>>) {
    this.eventsProcessed = new Counter({
      name: 'chronicle_projection_events_processed_total',
      help: 'Events applied by projections owned by this process',
      labelNames: ['projection'],
      registers: [registry],
    });
    this.lag = new Gauge({
      name: 'chronicle_projection_lag_events',
      help: 'Events a projection owned by this process still has to apply (capped at 100000)',
      labelNames: ['projection'],
      registers: [registry],
      // Counted on scrape, not per batch: a catch-up would otherwise pay for it on every commit.
      async collect() {
        this.reset();
        for (const { projection, lag } of await lagOfOwned()) this.set({ projection }, lag);
      },
    });
  }
}
