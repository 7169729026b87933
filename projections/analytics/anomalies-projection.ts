import type { Knex } from 'knex';
import { closeMinutes, minuteOf, NEW_SERIES, type AnomalySettings, type MinuteAnomaly, type SeriesStats } from '../../domain/analytics/anomaly-detection.js';
import { ANOMALY_STREAM_PREFIX, INGEST_STREAM_PREFIX } from '../../domain/analytics/streams.js';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import type { Projection, ProjectionTables } from '../projection.js';

export const ANOMALY_PROJECTION = 'analytics_anomalies';
/** Per (tenant, event): the minute being counted and what the closed minutes taught (EWMA). */
export const ANOMALY_SERIES = 'analytics_anomaly_series';
/** Anomalies found and not yet recorded as AnomalyDetected: the reactor's work. */
export const ANOMALIES_DUE = 'analytics_anomalies_due';
/** Every AnomalyDetected, for GET /api/analytics/anomalies. */
export const ANOMALIES = 'analytics_anomalies';
type Table = typeof ANOMALY_SERIES | typeof ANOMALIES_DUE | typeof ANOMALIES;

const RECEIVED = 'AnalyticsEventReceived';
const DETECTED = 'AnomalyDetected';

export interface SeriesRow {
  tenant_id: string;
  event: string;
  open_minute: Date;
  open_count: string;
  mean: number;
  variance: number;
  minutes: string;
  episode: 'spike' | 'drop' | null;
}

export interface AnomalyDueRow {
  tenant_id: string;
  event: string;
  minute: Date;
  kind: 'spike' | 'drop';
  observed: number;
  expected: number;
  z: number;
  due_position: string;
}

interface Series {
  tenantId: string;
  event: string;
  openMinute: number;
  openCount: number;
  stats: SeriesStats;
}

/**
 * Spikes and drops in each (tenant, event)'s per-minute counts of
 * AnalyticsEventReceived (minutes of `receivedAt`, the server's clock, so a
 * client's wrong clock or a late batch cannot reopen a closed minute; a late
 * event counts in the minute being counted). In log order, in the
 * transaction of its checkpoint, it closes a series' minute when the next
 * minute's first event arrives (and every empty minute between), folds it
 * into the EWMA and writes each anomaly found as a due row; the reactor
 * appends AnomalyDetected with an id derived from (tenant, event, minute,
 * kind), and the row goes when the projection reads that event. A replay
 * finds the same anomalies and the store recognises their ids: nothing is
 * reported twice. Minutes that end in silence are judged by the reactor's
 * timer with the same functions (domain/analytics/anomaly-detection.ts).
 */
export function anomaliesProjection(settings: () => AnomalySettings): Projection<Table> {
  return {
    name: ANOMALY_PROJECTION,
    version: 1,
    filter: { streamPrefixes: [INGEST_STREAM_PREFIX, ANOMALY_STREAM_PREFIX], eventTypes: [RECEIVED, DETECTED] },
    tables: [ANOMALY_SERIES, ANOMALIES_DUE, ANOMALIES],
    async setup(trx, tables) {
      await trx.raw(`
        CREATE TABLE "${tables[ANOMALY_SERIES]}" (
          tenant_id text NOT NULL,
          event text NOT NULL,
          open_minute timestamptz NOT NULL,
          open_count bigint NOT NULL,
          mean double precision NOT NULL,
          variance double precision NOT NULL,
          minutes bigint NOT NULL,
          episode text,
          PRIMARY KEY (tenant_id, event)
        );
        CREATE INDEX "${tables[ANOMALY_SERIES]}_open_idx" ON "${tables[ANOMALY_SERIES]}" (open_minute);
        CREATE TABLE "${tables[ANOMALIES_DUE]}" (
          tenant_id text NOT NULL,
          event text NOT NULL,
          minute timestamptz NOT NULL,
          kind text NOT NULL,
          observed double precision NOT NULL,
          expected double precision NOT NULL,
          z double precision NOT NULL,
          due_position numeric(40,0) NOT NULL,
          PRIMARY KEY (tenant_id, event, minute, kind)
        );
        CREATE INDEX "${tables[ANOMALIES_DUE]}_due_idx" ON "${tables[ANOMALIES_DUE]}" (due_position);
        CREATE TABLE "${tables[ANOMALIES]}" (
          event_id text PRIMARY KEY,
          tenant_id text NOT NULL,
          event text NOT NULL,
          minute timestamptz NOT NULL,
          kind text NOT NULL,
          observed double precision NOT NULL,
          expected double precision NOT NULL,
          z double precision NOT NULL,
          position numeric(40,0) NOT NULL,
          detected_at timestamptz NOT NULL,
          UNIQUE (tenant_id, event, minute, kind)
        );
        CREATE INDEX "${tables[ANOMALIES]}_list_idx" ON "${tables[ANOMALIES]}" (tenant_id, position);`);
    },
    async apply(events, trx, tables) {
      await recordDetected(events.filter((event) => event.type === DETECTED), trx, tables);
      const received = events.filter((event) => event.type === RECEIVED);
      if (received.length > 0) await countReceived(received, trx, tables, settings());
    },
  };
}

async function recordDetected(events: readonly RecordedEvent[], trx: Knex.Transaction, tables: ProjectionTables<Table>): Promise<void> {
  for (const event of events) {
    const data = event.data as { tenantId: string; event: string; minute: string; kind: string; observed: number; expected: number; z: number };
    await trx.raw(
      `INSERT INTO "${tables[ANOMALIES]}" (event_id, tenant_id, event, minute, kind, observed, expected, z, position, detected_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [event.id, data.tenantId, data.event, data.minute, data.kind, data.observed, data.expected, data.z, String(event.position), event.recordedAt],
    );
    await trx.raw(`DELETE FROM "${tables[ANOMALIES_DUE]}" WHERE tenant_id = ? AND event = ? AND minute = ? AND kind = ?`, [data.tenantId, data.event, data.minute, data.kind]);
  }
}

/** The batch's events per series, in log order, folded into each series' state; one read and one write per table. */
async function countReceived(events: readonly RecordedEvent[], trx: Knex.Transaction, tables: ProjectionTables<Table>, settings: AnomalySettings): Promise<void> {
  const minutesBySeries = new Map<string, { tenantId: string; event: string; minutes: number[] }>();
  for (const event of events) {
    const data = event.data as { tenantId?: unknown; event?: unknown; type?: unknown; receivedAt?: unknown };
    const receivedAt = typeof data.receivedAt === 'string' ? Date.parse(data.receivedAt) : NaN;
    if (typeof data.tenantId !== 'string' || Number.isNaN(receivedAt)) continue;
    // As the warehouse names them: the track name, or `$page`, `$identify`... for the other calls.
    const name = typeof data.event === 'string' ? data.event : `$${String(data.type)}`;
    const key = `${data.tenantId}\n${name}`;
    const entry = minutesBySeries.get(key) ?? { tenantId: data.tenantId, event: name, minutes: [] };
    entry.minutes.push(minuteOf(receivedAt));
    minutesBySeries.set(key, entry);
  }
  const entries = [...minutesBySeries.values()];
  const known = await trx.raw<{ rows: SeriesRow[] }>(
    `SELECT s.* FROM "${tables[ANOMALY_SERIES]}" s JOIN unnest(?::text[], ?::text[]) AS k(tenant_id, event) USING (tenant_id, event)`,
    [entries.map((entry) => entry.tenantId), entries.map((entry) => entry.event)],
  );
  const stored = new Map(known.rows.map((row) => [`${row.tenant_id}\n${row.event}`, seriesOf(row)]));
  const position = String(events[events.length - 1]!.position);
  const updated: Series[] = [];
  const anomalies: Array<MinuteAnomaly & { tenantId: string; event: string }> = [];
  for (const [key, entry] of minutesBySeries) {
    let series = stored.get(key);
    for (const minute of entry.minutes) {
      if (series === undefined) {
        series = { tenantId: entry.tenantId, event: entry.event, openMinute: minute, openCount: 1, stats: NEW_SERIES };
      } else if (minute <= series.openMinute) {
        series.openCount++;
      } else {
        const closed = closeMinutes(series.stats, series.openMinute, series.openCount, minute, settings);
        anomalies.push(...closed.anomalies.map((anomaly) => ({ ...anomaly, tenantId: entry.tenantId, event: entry.event })));
        series = { ...series, openMinute: minute, openCount: 1, stats: closed.stats };
      }
    }
    if (series) updated.push(series);
  }
  await trx.raw(
    `INSERT INTO "${tables[ANOMALY_SERIES]}" (tenant_id, event, open_minute, open_count, mean, variance, minutes, episode)
     SELECT * FROM jsonb_to_recordset(?::jsonb)
       AS r(tenant_id text, event text, open_minute timestamptz, open_count bigint, mean float8, variance float8, minutes bigint, episode text)
     ON CONFLICT (tenant_id, event) DO UPDATE SET open_minute = excluded.open_minute, open_count = excluded.open_count,
       mean = excluded.mean, variance = excluded.variance, minutes = excluded.minutes, episode = excluded.episode`,
    [
      JSON.stringify(
        updated.map((series) => ({
          tenant_id: series.tenantId,
          event: series.event,
          open_minute: new Date(series.openMinute).toISOString(),
          open_count: series.openCount,
          mean: series.stats.mean,
          variance: series.stats.variance,
          minutes: series.stats.minutes,
          episode: series.stats.episode,
        })),
      ),
    ],
  );
  if (anomalies.length === 0) return;
  // One the timer already recorded (the same minute, judged while it was silent) is not owed again.
  await trx.raw(
    `INSERT INTO "${tables[ANOMALIES_DUE]}" (tenant_id, event, minute, kind, observed, expected, z, due_position)
     SELECT a.tenant_id, a.event, a.minute, a.kind, a.observed, a.expected, a.z, ?
       FROM jsonb_to_recordset(?::jsonb) AS a(tenant_id text, event text, minute timestamptz, kind text, observed float8, expected float8, z float8)
      WHERE NOT EXISTS (SELECT 1 FROM "${tables[ANOMALIES]}" r WHERE r.tenant_id = a.tenant_id AND r.event = a.event AND r.minute = a.minute AND r.kind = a.kind)
     ON CONFLICT DO NOTHING`,
    [
      position,
      JSON.stringify(
        anomalies.map((anomaly) => ({
          tenant_id: anomaly.tenantId,
          event: anomaly.event,
          minute: new Date(anomaly.minute).toISOString(),
          kind: anomaly.kind,
          observed: anomaly.observed,
          expected: anomaly.expected,
          z: anomaly.z,
        })),
      ),
    ],
  );
}

export function seriesOf(row: SeriesRow): Series {
  return {
    tenantId: row.tenant_id,
    event: row.event,
    openMinute: row.open_minute.getTime(),
    openCount: Number(row.open_count),
    stats: { mean: row.mean, variance: row.variance, minutes: Number(row.minutes), episode: row.episode },
  };
}
