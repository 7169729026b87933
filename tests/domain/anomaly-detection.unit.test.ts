import { describe, expect, it } from '@jest/globals';
import { closeMinute, closeMinutes, MINUTE_MS, minuteOf, NEW_SERIES, type AnomalySettings, type SeriesStats } from '../../domain/analytics/anomaly-detection.js';

const settings: AnomalySettings = { zThreshold: 4, minVolume: 10, alpha: 0.1, warmupMinutes: 10 };

/** Folds the counts minute by minute; the anomalies found, by minute index. */
function run(counts: readonly number[]): { stats: SeriesStats; anomalies: Array<{ minute: number; kind: string }> } {
  let stats = NEW_SERIES;
  const anomalies: Array<{ minute: number; kind: string }> = [];
  counts.forEach((count, minute) => {
    const closed = closeMinute(stats, count, settings);
    if (closed.anomaly) anomalies.push({ minute, kind: closed.anomaly.kind });
    stats = closed.stats;
  });
  return { stats, anomalies };
}

const steady = (minutes: number, count = 50) => new Array<number>(minutes).fill(count);
/** Deterministic noise: 30 to 70 around a mean of 50, and 1 in 10 minutes at the extremes. */
const noisy = (minutes: number) => Array.from({ length: minutes }, (_, index) => 50 + (((index * 7919) % 41) - 20));

describe('anomaly detection (EWMA, z-score, minimum volume)', () => {
  it('flags nothing in steady traffic, and learns its mean', () => {
    const { stats, anomalies } = run(steady(200));
    expect(anomalies).toEqual([]);
    expect(stats.mean).toBeCloseTo(50);
  });

  it('flags nothing in merely noisy traffic', () => {
    expect(run(noisy(500)).anomalies).toEqual([]);
  });

  it('flags a spike once, at its minute', () => {
    expect(run([...noisy(30), 400, ...noisy(30)]).anomalies).toEqual([{ minute: 30, kind: 'spike' }]);
  });

  it('flags a drop to zero once, however long it lasts, and again after traffic came back', () => {
    const counts = [...steady(30), ...steady(20, 0), ...steady(60), ...steady(5, 0)];
    expect(run(counts).anomalies).toEqual([
      { minute: 30, kind: 'drop' },
      { minute: 110, kind: 'drop' },
    ]);
  });

  it('flags nothing below the minimum volume, nor before the warm-up', () => {
    expect(run([...steady(30, 3), 9, ...steady(5, 0)]).anomalies).toEqual([]);
    expect(run([...steady(5), 400, 0]).anomalies).toEqual([]);
  });

  it('closes the open minute and the empty minutes after it as one count each', () => {
    const stats = run(steady(30)).stats;
    const start = Date.UTC(2026, 5, 1, 12, 0);
    const { anomalies, stats: after } = closeMinutes(stats, start, 50, start + 6 * MINUTE_MS, settings);
    expect(anomalies).toEqual([expect.objectContaining({ minute: start + MINUTE_MS, kind: 'drop', observed: 0 })]);
    expect(after.minutes).toBe(stats.minutes + 6);
    expect(closeMinutes(stats, start, 50, start + MINUTE_MS, settings).anomalies).toEqual([]);
  });

  it('puts a time in its UTC minute', () => {
    expect(new Date(minuteOf(new Date('2026-06-01T12:34:56.789Z'))).toISOString()).toBe('2026-06-01T12:34:00.000Z');
  });
});
