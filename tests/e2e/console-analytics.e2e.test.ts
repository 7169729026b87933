import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { expectJson, type AuthAnswer, type HttpClient } from '../support/auth-http.js';
import type { ConsoleBrowser } from '../support/console-browser.js';
import { ConsoleSuite } from '../support/console-suite.js';
import { appendGiven, type GivenEvent } from '../support/given-events.js';
import { received } from '../support/warehouse-events.js';

/**
 * The analytics page in headless Chromium: events ingested over the API
 * drawn as counts over time with a spike marked as an anomaly, the top
 * events, and an invalid event in the quarantine, re-submitted corrected.
 */
let suite: ConsoleSuite;
let browser: ConsoleBrowser;
let http: HttpClient;
let admin: AuthAnswer;
let page: Page;

// A browser and a server on a machine shared with other work: every wait is on what the page shows, with room.
jest.setTimeout(90_000);

const analyticsEvent = (eventType: string) => ({
  event_id: randomUUID(),
  event_type: eventType,
  timestamp: new Date().toISOString(),
  user_id: 'console-reader',
  data: { plan: 'pro' },
  metadata: { source: 'console-e2e', version: '1' },
});

/**
 * "Checkout" traffic received over the last half hour, as the ingest appends it: about ten a minute, and one
 * minute of eighty, twenty minutes ago. Appended to the log directly, since received times lie in the past.
 */
async function appendSpike(tenantId: string): Promise<void> {
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
  const events: GivenEvent[] = [];
  for (let minute = 0; minute < 25; minute++) {
    const count = minute === 10 ? 80 : 8 + (minute % 5);
    for (let n = 0; n < count; n++) {
      const at = new Date(start + minute * 60_000 + n * 500).toISOString();
      events.push(received(tenantId, randomUUID(), { event: 'Checkout', at, request: `minute-${minute}` }));
    }
  }
  const store = await PostgresEventStore.connect({ connectionString: suite.database.url, logger: createLogger('silent') });
  try {
    await appendGiven(store, events);
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  suite = await ConsoleSuite.start({
    admin: { email: 'console-analyst@example.com', displayName: 'Console Analyst' },
    // The anomaly check runs every second, and a few steady minutes are enough history to judge one by.
    env: { ANALYTICS_ANOMALY_CHECK_INTERVAL_MS: '1000', ANALYTICS_ANOMALY_WARMUP_MINUTES: '5', ANALYTICS_ANOMALY_MIN_VOLUME: '5' },
  });
  ({ browser, http, admin, page } = suite);
  const batch = [...Array.from({ length: 12 }, () => analyticsEvent('Report Viewed')), ...Array.from({ length: 5 }, () => analyticsEvent('Signed Up'))];
  const { event_type: _missing, ...invalid } = analyticsEvent('Broken');
  const answer = await expectJson<{ accepted: number; rejected: unknown[] }>(await http.post('/api/events', [...batch, invalid], { bearer: admin.accessToken }), 202);
  expect({ accepted: answer.accepted, rejected: answer.rejected.length }).toEqual({ accepted: 17, rejected: 1 });
  await appendSpike(admin.user.tenantId);
  await suite.signInAdmin();
}, 180_000);

afterAll(() => suite?.stop());

describe('console: analytics', () => {
  it('draws the counts over time, the top events and the quarantine', async () => {
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.waitForURL('**/console/analytics');
    // The warehouse projection loads the events; the page reads again every 10 s until they are counted.
    await page.getByRole('rowheader', { name: 'Report Viewed' }).waitFor({ timeout: 60_000 });
    await page.getByRole('img', { name: /^All events per minute: [1-9][\d,]* over \d+ buckets/ }).waitFor();
    await expect(page.locator('.chart .bar').count()).resolves.toBeGreaterThan(0);
    const top = page.getByRole('region', { name: 'Top events' }).or(page.locator('section[aria-labelledby=top-heading]'));
    await expect(top.first().textContent()).resolves.toMatch(/Report Viewed\s*12.*Signed Up\s*5/);

    const quarantine = page.locator('.quarantine-item');
    await quarantine.first().waitFor();
    await expect(quarantine.first().textContent()).resolves.toContain('unresolved');
    await expect(quarantine.first().getByLabel('Event to re-submit').inputValue()).resolves.toContain('console-e2e');
    expect(await browser.seriousAccessibilityViolations()).toEqual([]);
  });

  it('re-submits the quarantined event, corrected, and shows it accepted', async () => {
    const item = page.locator('.quarantine-item').first();
    const raw = JSON.parse(await item.getByLabel('Event to re-submit').inputValue()) as Record<string, unknown>;
    await item.getByLabel('Event to re-submit').fill(JSON.stringify({ ...raw, event_type: 'Fixed Later' }));
    await item.getByRole('button', { name: 'Re-submit' }).click();
    await item.getByRole('status').filter({ hasText: 'Accepted' }).waitFor();
    // The quarantine list is a read model: it shows the retry once it has processed it.
    let statuses: string[] = [];
    for (let attempt = 0; attempt < 60 && statuses[0] !== 'resolved'; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      const page = await expectJson<{ items: Array<{ status: string }> }>(await http.get('/api/analytics/quarantine', { bearer: admin.accessToken }), 200);
      statuses = page.items.map((entry) => entry.status);
    }
    expect(statuses).toEqual(['resolved']);
  });

  it('marks the spike on the chart as an anomaly', async () => {
    await page.locator('.chart [data-anomaly=spike]').waitFor({ timeout: 60_000 });
    const marked = page.getByRole('list', { name: 'Anomalies on the chart' });
    await expect(marked.textContent()).resolves.toMatch(/spike\s*Checkout at .*: 80 seen/);
    await expect(page.getByRole('img', { name: /1 anomaly marked$/ }).count()).resolves.toBe(1);
    // The spike's bar is the tallest and reaches the top of the plot: its ring, stroke included, must still be inside the chart.
    const { ring, chart } = (await page.evaluate(`(() => {
      const circle = document.querySelector('.chart [data-anomaly=spike] circle');
      const box = circle.getBoundingClientRect();
      const halfStroke = (parseFloat(getComputedStyle(circle).strokeWidth) * box.height) / (4 * circle.r.baseVal.value);
      const outer = circle.ownerSVGElement.getBoundingClientRect();
      return {
        ring: { top: box.top - halfStroke, bottom: box.bottom + halfStroke, left: box.left - halfStroke, right: box.right + halfStroke },
        chart: { top: outer.top, bottom: outer.bottom, left: outer.left, right: outer.right },
      };
    })()`)) as Record<'ring' | 'chart', { top: number; bottom: number; left: number; right: number }>;
    expect(ring.top).toBeGreaterThanOrEqual(chart.top);
    expect(ring.bottom).toBeLessThanOrEqual(chart.bottom);
    expect(ring.left).toBeGreaterThanOrEqual(chart.left);
    expect(ring.right).toBeLessThanOrEqual(chart.right);
    await browser.screenshot('analytics', { fullPage: true });
  });

  it('wrote nothing to the browser console', () => {
    expect(browser.errors).toEqual([]);
  });
});
