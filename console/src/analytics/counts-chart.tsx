import type { JSX } from 'preact';
import type { Anomaly, CountsAnswer } from '../api/types.js';

const WIDTH = 720;
const HEIGHT = 220;
/** An anomaly's ring sits this far above its bar; its stroke is drawn half outside the radius. */
const RING = { radius: 7, stroke: 3, gap: 2 };
const RING_HEADROOM = RING.gap + 2 * RING.radius + RING.stroke / 2 + 1;
/** The top leaves room for the ring over the tallest bar, which reaches the top of the plot: the ring would be cut off above it. */
const PAD = { left: 44, right: 12, top: Math.ceil(RING_HEADROOM), bottom: 28 };

/** Milliseconds a bucket spans, to find the bucket an anomaly's minute falls in. */
const SPAN_MS: Record<CountsAnswer['interval'], number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * Counts over time as bars (hand-drawn SVG: no chart library), with each
 * anomaly marked on the bucket holding its minute: a red ring for a spike,
 * a blue one for a drop. The numbers are also in a table below it, for
 * screen readers and for reading exact values.
 */
export function CountsChart(props: { counts: CountsAnswer; anomalies: readonly Anomaly[] }): JSX.Element {
  const { buckets, interval } = props.counts;
  const max = Math.max(1, ...buckets.map((bucket) => bucket.count));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = buckets.length > 0 ? plotWidth / buckets.length : plotWidth;
  const y = (count: number) => PAD.top + plotHeight - (count / max) * plotHeight;
  const bucketOf = (anomaly: Anomaly) => {
    const at = Date.parse(anomaly.minute);
    return buckets.findIndex((bucket) => at >= Date.parse(bucket.start) && at < Date.parse(bucket.start) + SPAN_MS[interval]);
  };
  const marked = props.anomalies
    .filter((anomaly) => props.counts.event === null || anomaly.event === props.counts.event)
    .map((anomaly) => ({ anomaly, index: bucketOf(anomaly) }))
    .filter(({ index }) => index >= 0);
  const total = buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  const summary = `${props.counts.event ?? 'All events'} per ${interval}: ${total.toLocaleString('en')} over ${buckets.length} buckets, at most ${max.toLocaleString('en')}; ${marked.length} anomal${marked.length === 1 ? 'y' : 'ies'} marked`;

  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top + plotHeight} y2={PAD.top + plotHeight} class="axis" />
        <text x={PAD.left - 6} y={PAD.top + 4} class="tick" text-anchor="end">
          {max.toLocaleString('en')}
        </text>
        <text x={PAD.left - 6} y={PAD.top + plotHeight} class="tick" text-anchor="end">
          0
        </text>
        {buckets.map((bucket, index) => (
          <rect key={bucket.start} class="bar" x={PAD.left + index * step + step * 0.1} width={Math.max(1, step * 0.8)} y={y(bucket.count)} height={PAD.top + plotHeight - y(bucket.count)}>
            <title>
              {bucket.start}: {bucket.count}
            </title>
          </rect>
        ))}
        {marked.map(({ anomaly, index }) => (
          <g key={`${anomaly.event}-${anomaly.minute}`} class={`anomaly ${anomaly.kind}`} data-anomaly={anomaly.kind}>
            <circle cx={PAD.left + (index + 0.5) * step} cy={y(buckets[index]!.count) - RING.gap - RING.radius} r={RING.radius} stroke-width={RING.stroke} />
            <title>
              {anomaly.kind} of {anomaly.event} at {anomaly.minute}: {anomaly.observed} seen, {anomaly.expected.toFixed(1)} expected (z {anomaly.z.toFixed(1)})
            </title>
          </g>
        ))}
        {buckets.length > 0 && (
          <>
            <text x={PAD.left} y={HEIGHT - 8} class="tick">
              {buckets[0]!.start.slice(0, 16).replace('T', ' ')}
            </text>
            <text x={WIDTH - PAD.right} y={HEIGHT - 8} class="tick" text-anchor="end">
              {buckets[buckets.length - 1]!.start.slice(0, 16).replace('T', ' ')}
            </text>
          </>
        )}
      </svg>
      <figcaption>{summary}</figcaption>
      {marked.length > 0 && (
        <ul class="anomalies" aria-label="Anomalies on the chart">
          {marked.map(({ anomaly }) => (
            <li key={`${anomaly.event}-${anomaly.minute}`}>
              <span class={`badge ${anomaly.kind === 'spike' ? 'bad' : 'warn'}`}>{anomaly.kind}</span> {anomaly.event} at {anomaly.minute}: {anomaly.observed.toLocaleString('en')} seen,{' '}
              {anomaly.expected.toFixed(1)} expected
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
