import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { expectJson, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { ConsoleBrowser } from '../support/console-browser.js';
import { ConsoleServer } from '../support/console-server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { GOOD_PASSWORD } from '../support/identity-harness.js';

/**
 * The analytics page in headless Chromium: events ingested over the API
 * drawn as counts over time, the top events, and an invalid event in the
 * quarantine with its reason.
 */
let database: TestDatabase;
let server: ConsoleServer;
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

beforeAll(async () => {
  database = await createTestDatabase();
  server = await ConsoleServer.start(database.url);
  http = new HttpClient(server.url);
  admin = await http.signup({ email: 'console-analyst@example.com', displayName: 'Console Analyst' });
  const batch = [...Array.from({ length: 12 }, () => analyticsEvent('Report Viewed')), ...Array.from({ length: 5 }, () => analyticsEvent('Signed Up'))];
  const { event_type: _missing, ...invalid } = analyticsEvent('Broken');
  const answer = await expectJson<{ accepted: number; rejected: unknown[] }>(await http.post('/api/events', [...batch, invalid], { bearer: admin.accessToken }), 202);
  expect({ accepted: answer.accepted, rejected: answer.rejected.length }).toEqual({ accepted: 17, rejected: 1 });
  browser = await ConsoleBrowser.launch();
  page = browser.page;
  await page.goto(`${server.url}/console/sign-in`);
  await page.getByLabel('Email').fill(admin.user.email);
  await page.getByLabel('Password').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/console/feed');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.drop();
});

describe('console: analytics', () => {
  it('draws the counts over time, the top events and the quarantine', async () => {
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.waitForURL('**/console/analytics');
    // The warehouse projection loads the events; the page reads again every 10 s until they are counted.
    await page.getByRole('img', { name: /^All events per minute: 17 over \d+ buckets/ }).waitFor({ timeout: 60_000 });
    await expect(page.locator('.chart .bar').count()).resolves.toBeGreaterThan(0);
    const top = page.getByRole('region', { name: 'Top events' }).or(page.locator('section[aria-labelledby=top-heading]'));
    await expect(top.first().textContent()).resolves.toMatch(/Report Viewed\s*12.*Signed Up\s*5/);

    const quarantine = page.locator('.quarantine-item');
    await quarantine.first().waitFor();
    await expect(quarantine.first().textContent()).resolves.toContain('unresolved');
    await expect(quarantine.first().getByLabel('Event to re-submit').inputValue()).resolves.toContain('console-e2e');
    expect(await browser.seriousAccessibilityViolations()).toEqual([]);
    await browser.screenshot('analytics', { fullPage: true });
  });

  it('wrote nothing to the browser console', () => {
    expect(browser.errors).toEqual([]);
  });
});
