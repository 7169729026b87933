import type { Knex } from 'knex';
import { closeMinutes, minuteOf, MINUTE_MS, type AnomalySettings } from '../../domain/analytics/anomaly-detection.js';
import type { AnomalyDetected } from '../../domain/analytics/events.js';
import { anomalyEventId } from '../../domain/analytics/ids.js';
import { anomalyStream } from '../../domain/analytics/streams.js';
import { DuplicateEventIdError } from '../../infra/event-store/errors.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import type { Logger } from '../../infra/logging/logger.js';
import { ANOMALIES_DUE, ANOMALY_SERIES, seriesOf, type AnomalyDueRow, type SeriesRow } from '../../projections/analytics/anomalies-projection.js';
import { buildMetadata, systemContext } from '../metadata.js';
import type { Runtime } from '../runtime.js';

export interface AnomalyReactorOptions {
  knex: Knex;
  eventStore: EventStore;
  runtime: Runtime;
  logger: Logger;
  settings: AnomalySettings;
  /** How long after a minute ends it is judged without events (ANALYTICS_ANOMALY_GRACE_SECONDS). */
  graceMs: number;
  /** ANALYTICS_ANOMALY_CHECK_INTERVAL_MS. */
  intervalMs: number;
  /** Rows taken per look. */
  batchSize?: number;
}

/**
 * Only series that went quiet this recently are judged by the clock: older
 * silences were judged by earlier looks, or will be by the projection when
 * their next event comes (a worker down for longer than this).
 */
const QUIET_WINDOW_MS = 60 * MINUTE_MS;

type AnomalyData = AnomalyDetected['data'];

/**
 * Records the anomalies the analytics_anomalies projection found
 * (AnomalyDetected in `anomaly-<tenant>`, id from tenant, event, minute and
 * kind: appending it again is a no-op, so a crash, a replay or a second
 * worker reports nothing twice), and, on a timer, judges minutes that ended
 * without events, which the projection cannot see: a tenant whose traffic
 * stops dead gets its drop reported within ANALYTICS_ANOMALY_GRACE_SECONDS
 * of the minute's end, with the same functions and so the same ids the
 * projection derives if events come back later.
 */
export class AnomalyReactor {
  readonly name = 'anomaly-reactor';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = true;
  /** Quiet series already judged up to a minute: not appended again each look. */
  private judged = new Map<string, number>();

  constructor(private readonly options: AnomalyReactorOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One look: the anomalies due, then the series gone quiet. Returns how many AnomalyDetected it appended. */
  async runOnce(): Promise<number> {
    let appended = 0;
    for (const row of await this.tableRows<AnomalyDueRow>(ANOMALIES_DUE, (query) => query.orderBy('due_position').limit(this.options.batchSize ?? 500))) {
      appended += await this.append({
        tenantId: row.tenant_id,
        event: row.event,
        minute: row.minute.toISOString(),
        kind: row.kind,
        observed: row.observed,
        expected: row.expected,
        z: row.z,
      });
    }
    return appended + (await this.judgeQuietSeries());
  }

  private async judgeQuietSeries(): Promise<number> {
    const { settings } = this.options;
    const now = this.options.runtime.now().getTime();
    // Every minute before this one has ended at least graceMs ago.
    const until = minuteOf(now - this.options.graceMs);
    const rows = await this.tableRows<SeriesRow>(ANOMALY_SERIES, (query) =>
      query
        .where('open_minute', '<', new Date(until))
        .andWhere('open_minute', '>=', new Date(until - QUIET_WINDOW_MS))
        .andWhere((volume) => volume.where('mean', '>=', settings.minVolume).orWhere('open_count', '>=', settings.minVolume))
        .limit(this.options.batchSize ?? 500),
    );
    const seen = new Map<string, number>();
    let appended = 0;
    for (const row of rows) {
      const series = seriesOf(row);
      const key = `${series.tenantId}\n${series.event}\n${series.openMinute}`;
      seen.set(key, until);
      if (this.judged.get(key) === until) continue;
      const { anomalies } = closeMinutes(series.stats, series.openMinute, series.openCount, until, settings);
      for (const anomaly of anomalies) {
        const { minute, ...found } = anomaly;
        appended += await this.append({ tenantId: series.tenantId, event: series.event, minute: new Date(minute).toISOString(), ...found });
      }
    }
    this.judged = seen;
    return appended;
  }

  /**
   * The same anomaly again (another worker, a replay, a look before the
   * projection read it) has the same id, which the tenant's anomaly stream
   * already holds: the store refuses it (its metadata differs), and that
   * refusal means "recorded". Returns 1 when this call recorded it.
   */
  private async append(data: AnomalyData): Promise<number> {
    const id = anomalyEventId(data.tenantId, data.event, data.minute, data.kind);
    const { runtime } = this.options;
    const metadata = buildMetadata(systemContext(runtime, data.tenantId), id, runtime, 1);
    try {
      await this.options.eventStore.appendToStream(anomalyStream(data.tenantId), [{ id, type: 'AnomalyDetected', data: { ...data }, metadata: { ...metadata } }]);
      return 1;
    } catch (error) {
      if (error instanceof DuplicateEventIdError) return 0;
      throw error;
    }
  }

  private async tableRows<Row>(table: string, shape: (query: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<Row[]> {
    try {
      return (await shape(this.options.knex(table).select('*'))) as Row[];
    } catch (error) {
      // The projection's tables are built by a worker; until then there is nothing to look at.
      if ((error as { code?: unknown } | null)?.code === '42P01') return [];
      throw error;
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'recording analytics anomalies failed; retrying'))
        .finally(() => {
          if (!this.stopped) this.schedule(this.options.intervalMs);
        });
    }, delayMs);
  }
}
