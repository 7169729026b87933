import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { CountsChart } from '../analytics/counts-chart.js';
import { QuarantineList } from '../analytics/quarantine-list.js';
import { serverOffers } from '../api/capabilities.js';
import { api } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { ActiveUsersAnswer, Anomaly, CountsAnswer, QuarantinedEvent, TopEventsAnswer } from '../api/types.js';
import { ErrorLine } from '../components/error-line.js';
import { usePolling } from '../components/use-polling.js';

type Interval = CountsAnswer['interval'];

/** A list answered as `{ items }` or as a bare array; a 404 (not on this server yet) as empty. */
async function listOf<T>(path: string): Promise<T[]> {
  try {
    const answer = await api.get<T[] | { items: T[] }>(path);
    return Array.isArray(answer) ? answer : answer.items;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return [];
    throw error;
  }
}

/** Admins: counts over time with anomalies marked, top events, active users, and the quarantine. */
export function AnalyticsPage(): JSX.Element {
  const [interval, setBucketSize] = useState<Interval>('minute');
  const [event, setEvent] = useState('');
  const [applied, setApplied] = useState<{ interval: Interval; event: string }>({ interval: 'minute', event: '' });

  const data = usePolling(
    async () => {
      const params = new URLSearchParams({ interval: applied.interval });
      if (applied.event) params.set('event', applied.event);
      const [counts, top, active, anomalies] = await Promise.all([
        api.get<CountsAnswer>(`/api/analytics/counts?${params}`),
        api.get<TopEventsAnswer>('/api/analytics/top-events'),
        api.get<ActiveUsersAnswer>('/api/analytics/active-users?interval=day'),
        serverOffers('/api/analytics/anomalies').then((offered) => (offered ? listOf<Anomaly>('/api/analytics/anomalies') : [])),
      ]);
      return { counts, top, active, anomalies };
    },
    10_000,
    [applied.interval, applied.event],
  );
  const quarantine = usePolling(() => listOf<QuarantinedEvent>('/api/analytics/quarantine'), 30_000);

  return (
    <section aria-labelledby="analytics-heading">
      <h1 id="analytics-heading">Analytics</h1>
      <form
        class="filters"
        aria-label="Chart settings"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ interval, event: event.trim() });
        }}
      >
        <div class="field">
          <label for="analytics-event">Event (empty for all)</label>
          <input id="analytics-event" value={event} onInput={(e) => setEvent(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="analytics-interval">Per</label>
          <select id="analytics-interval" value={interval} onChange={(e) => setBucketSize(e.currentTarget.value as Interval)}>
            <option value="minute">minute</option>
            <option value="hour">hour</option>
            <option value="day">day</option>
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      <ErrorLine error={data.error} />
      {data.data && (
        <>
          <h2>Counts over time</h2>
          <CountsChart counts={data.data.counts} anomalies={data.data.anomalies} />
          <div class="columns">
            <section aria-labelledby="top-heading">
              <h2 id="top-heading">Top events</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Count</th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.top.items.map((item) => (
                    <tr key={item.event}>
                      <th scope="row">{item.event}</th>
                      <td>{item.count.toLocaleString('en')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section aria-labelledby="active-heading">
              <h2 id="active-heading">Active users per day (the last 14, newest first)</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col">Users</th>
                  </tr>
                </thead>
                <tbody>
                  {[...data.data.active.items].reverse().slice(0, 14).map((item) => (
                    <tr key={item.start}>
                      <th scope="row">{item.period}</th>
                      <td>{item.activeUsers.toLocaleString('en')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>
        </>
      )}
      <section aria-labelledby="quarantine-heading">
        <h2 id="quarantine-heading">Quarantine</h2>
        <ErrorLine error={quarantine.error} />
        {quarantine.data && <QuarantineList items={quarantine.data} onChanged={quarantine.reload} />}
      </section>
    </section>
  );
}
