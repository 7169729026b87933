import { Gauge, type Registry } from 'prom-client';
import type { EventStore } from './event-store.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

/** Event store gauges, read when Prometheus scrapes. */
export function registerEventStoreMetrics(registry: Registry, store: EventStore): void {
  if (store instanceof PostgresEventStore) {
    new Gauge({
      name: 'chronicle_eventstore_horizon_blocked_seconds',
      help: 'How long the oldest in-flight append has held subscribers back (0 when none does), as of the last read of the log',
      registers: [registry],
      collect() {
        this.set(store.horizonBlockedForMs() / 1000);
      },
    });
  }
  new Gauge({
    name: 'chronicle_eventstore_up',
    help: '1 when the event store answers its health check',
    registers: [registry],
    // A scrape must answer while the store is down: that is when this gauge matters.
    async collect() {
      const up = await store.health().then(
        (health) => health.ok,
        () => false,
      );
      this.set(up ? 1 : 0);
    },
  });
}
