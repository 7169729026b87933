/**
 * Anomaly detection over one (tenant, event)'s per-minute counts: an
 * exponentially weighted moving mean and variance (EWMA), and a z-score of
 * each closed minute against them. Pure: the projection (in log order) and
 * the timer that notices silence (commands/analytics/anomaly-reactor.ts)
 * fold minutes with the same functions, so both find the same anomalies and
 * derive the same event ids from them.
 */

export interface AnomalySettings {
  /** |z| at which a minute is unusual (ANALYTICS_ANOMALY_Z_THRESHOLD). */
  zThreshold: number;
  /** A spike needs this many events in its minute; a drop needs this many expected (ANALYTICS_ANOMALY_MIN_VOLUME). */
  minVolume: number;
  /** Weight of the newest minute in the EWMA, 0 to 1 (ANALYTICS_ANOMALY_EWMA_ALPHA). */
  alpha: number;
  /** Closed minutes seen before any is judged (ANALYTICS_ANOMALY_WARMUP_MINUTES). */
  warmupMinutes: number;
}

export type AnomalyKind = 'spike' | 'drop';

/** What the series has learnt from the minutes closed so far. */
export interface SeriesStats {
  mean: number;
  variance: number;
  /** Closed minutes folded in. */
  minutes: number;
  /**
   * The kind of the unusual run the last closed minute belonged to, if any:
   * a drop to zero lasting an hour is one anomaly, not sixty.
   */
  episode: AnomalyKind | null;
}

export interface Anomaly {
  kind: AnomalyKind;
  observed: number;
  expected: number;
  z: number;
}

export const NEW_SERIES: SeriesStats = { mean: 0, variance: 0, minutes: 0, episode: null };

/**
 * Beyond this many empty minutes in a row the baseline has long decayed to
 * nothing: folding more changes nothing but time spent.
 */
export const MAX_EMPTY_MINUTES_FOLDED = 24 * 60;

/** How unusual `count` is beside the series so far, if at all. */
export function judgeMinute(stats: SeriesStats, count: number, settings: AnomalySettings): Anomaly | null {
  if (stats.minutes < settings.warmupMinutes) return null;
  // Counts are at least as noisy as a Poisson process of the same mean: merely noisy traffic is not an anomaly.
  const deviation = Math.max(Math.sqrt(stats.variance), Math.sqrt(stats.mean), 1);
  const z = (count - stats.mean) / deviation;
  if (z >= settings.zThreshold && count >= settings.minVolume) return { kind: 'spike', observed: count, expected: stats.mean, z };
  if (z <= -settings.zThreshold && stats.mean >= settings.minVolume) return { kind: 'drop', observed: count, expected: stats.mean, z };
  return null;
}

/**
 * Closes one minute: the anomaly it starts (none while an unusual run of the
 * same kind goes on), and the series with the minute folded in.
 */
export function closeMinute(stats: SeriesStats, count: number, settings: AnomalySettings): { stats: SeriesStats; anomaly: Anomaly | null } {
  const judged = judgeMinute(stats, count, settings);
  const anomaly = judged !== null && judged.kind !== stats.episode ? judged : null;
  const episode = judged?.kind ?? null;
  if (stats.minutes === 0) return { stats: { mean: count, variance: 0, minutes: 1, episode }, anomaly };
  const difference = count - stats.mean;
  const increment = settings.alpha * difference;
  return {
    stats: {
      mean: stats.mean + increment,
      variance: (1 - settings.alpha) * (stats.variance + difference * increment),
      minutes: stats.minutes + 1,
      episode,
    },
    anomaly,
  };
}

export const MINUTE_MS = 60_000;

/** The start of the UTC minute `time` falls in. */
export function minuteOf(time: Date | number): number {
  const ms = typeof time === 'number' ? time : time.getTime();
  return ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

export interface MinuteAnomaly extends Anomaly {
  /** Start of the minute, ms since the epoch. */
  minute: number;
}

/**
 * Closes the open minute (`openMinute`, with `openCount` events) and every
 * empty minute after it up to (not including) `until`: what a series learns
 * when the next event arrives in minute `until`, or when the clock says
 * minutes have passed without one.
 */
export function closeMinutes(
  stats: SeriesStats,
  openMinute: number,
  openCount: number,
  until: number,
  settings: AnomalySettings,
): { stats: SeriesStats; anomalies: MinuteAnomaly[] } {
  const anomalies: MinuteAnomaly[] = [];
  let current = closeMinute(stats, openCount, settings);
  if (current.anomaly) anomalies.push({ ...current.anomaly, minute: openMinute });
  const empty = Math.min(Math.max(0, (until - openMinute) / MINUTE_MS - 1), MAX_EMPTY_MINUTES_FOLDED);
  for (let index = 1; index <= empty; index++) {
    current = closeMinute(current.stats, 0, settings);
    if (current.anomaly) anomalies.push({ ...current.anomaly, minute: openMinute + index * MINUTE_MS });
  }
  return { stats: current.stats, anomalies };
}
