import { z } from 'zod';
import type { AnomalySettings } from '../../domain/analytics/anomaly-detection.js';

const number = (min: number, max: number) => {
  const text = `must be a number from ${min} to ${max}`;
  return z.coerce.number({ error: text }).min(min, text).max(max, text);
};
const integer = (min: number, max: number) => number(min, max).int(`must be a whole number from ${min} to ${max}`);

/** Anomaly detection over per-minute event counts (issue 12; README, "Analytics anomalies"). */
export const analyticsAnomalyConfigSchema = {
  /** |z| at which a minute's count is flagged. */
  ANALYTICS_ANOMALY_Z_THRESHOLD: number(1, 100).default(4),
  /** A spike needs at least this many events in its minute, a drop this many expected: quiet series are never flagged. */
  ANALYTICS_ANOMALY_MIN_VOLUME: number(1, 1e12).default(20),
  /** Weight of the newest minute in the moving mean and variance (smaller: a longer memory). */
  ANALYTICS_ANOMALY_EWMA_ALPHA: number(0.001, 1).default(0.1),
  /** Minutes a series must have been seen before it is judged. */
  ANALYTICS_ANOMALY_WARMUP_MINUTES: integer(1, 100_000).default(10),
  /** How long after a minute ends the timer judges it without events (ingest and projection lag must fit in it). */
  ANALYTICS_ANOMALY_GRACE_SECONDS: integer(0, 86_400).default(120),
  /** How often the timer looks for anomalies to record and for series that went quiet. */
  ANALYTICS_ANOMALY_CHECK_INTERVAL_MS: integer(100, 3_600_000).default(15_000),
};

const settingsSchema = z.object(analyticsAnomalyConfigSchema);

export type AnalyticsAnomalyConfig = z.output<typeof settingsSchema>;

export function anomalySettingsOf(config: AnalyticsAnomalyConfig): AnomalySettings {
  return {
    zThreshold: config.ANALYTICS_ANOMALY_Z_THRESHOLD,
    minVolume: config.ANALYTICS_ANOMALY_MIN_VOLUME,
    alpha: config.ANALYTICS_ANOMALY_EWMA_ALPHA,
    warmupMinutes: config.ANALYTICS_ANOMALY_WARMUP_MINUTES,
  };
}

/**
 * The settings from the environment, for the projection: projections are
 * built with the feature list, before the process has its config. The
 * config module validates the same variables at start (a bad value stops the
 * process with its name before any event is projected).
 */
export function anomalySettingsFromEnvironment(environment: NodeJS.ProcessEnv = process.env): AnomalySettings {
  return anomalySettingsOf(settingsSchema.parse(environment));
}
