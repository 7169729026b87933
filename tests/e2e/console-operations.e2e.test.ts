import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { expectJson, type AuthAnswer, type HttpClient } from '../support/auth-http.js';
import type { ConsoleBrowser } from '../support/console-browser.js';
import { ConsoleSuite } from '../support/console-suite.js';

/**
 * The operators' and admins' pages of the console in headless Chromium:
 * a replay followed to done, and the tenant's administration; each page
 * checked by axe-core, by keyboard, and on a phone-sized screen.
 */
let suite: ConsoleSuite;
let browser: ConsoleBrowser;
let http: HttpClient;
let admin: AuthAnswer;
let page: Page;

// A browser and a server on a machine shared with other work: every wait is on what the page shows, with room.
jest.setTimeout(90_000);

beforeAll(async () => {
  suite = await ConsoleSuite.start({ admin: { email: 'console-operator@example.com', displayName: 'Console Operator' } });
  ({ browser, http, admin, page } = suite);
  for (let i = 0; i < 30; i++) await expectJson(await http.post('/api/posts', { title: `Post ${i}`, body: 'seed' }, { bearer: admin.accessToken }), 201);
  await suite.signInAdmin();
}, 180_000);

afterAll(() => suite?.stop());

describe('console: projections and administration', () => {
  it('replays a projection and follows its progress to done', async () => {
    await page.getByRole('link', { name: 'Projections' }).click();
    await page.waitForURL('**/console/projections');
    const statuses = await expectJson<Array<{ name: string }>>(await http.get('/api/admin/projections', { bearer: admin.accessToken }), 200);
    const name = (statuses.find((status) => status.name.includes('post')) ?? statuses[0])!.name;
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });
    await row.getByRole('cell').filter({ hasText: /running|catching-up/ }).first().waitFor();
    expect(await browser.seriousAccessibilityViolations()).toEqual([]);

    await row.getByRole('button', { name: `Replay ${name}` }).click();
    const progress = row.getByRole('status');
    await progress.filter({ hasText: 'Replay done: 100%' }).waitFor({ timeout: 60_000 });
    await expect(row.getByRole('progressbar', { name: `Replay of ${name}` }).getAttribute('value')).resolves.toBe('100');
    await browser.screenshot('projections');
  });

  it('lists the members, issues an API key shown once, and invites someone', async () => {
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.waitForURL('**/console/admin');
    const members = page.getByRole('region', { name: 'Members table' });
    await members.getByRole('rowheader', { name: /Console Operator/ }).waitFor();
    await expect(members.textContent()).resolves.toMatch(/admin.*operator|operator.*admin/);

    await page.getByLabel('Name of the new key').fill('ingest robot');
    await page.getByRole('button', { name: 'Issue key' }).click();
    const key = await page.getByTestId('shown-once').textContent();
    const keys = await expectJson<{ items: Array<{ name: string; displayPrefix: string }> }>(await http.get('/api/api-keys', { bearer: admin.accessToken }), 200);
    const robot = keys.items.find((item) => item.name === 'ingest robot');
    expect(key?.startsWith(robot!.displayPrefix)).toBe(true);
    await page.getByRole('region', { name: 'API keys table' }).getByRole('rowheader', { name: 'ingest robot' }).waitFor();
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await expect(page.getByTestId('shown-once').count()).resolves.toBe(0);

    await page.getByLabel('Email to invite').fill('newcomer@example.com');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByTestId('shown-once').waitFor();
    await page.getByRole('region', { name: 'Invitations table' }).getByRole('rowheader', { name: 'newcomer@example.com' }).waitFor();
    await page.getByRole('region', { name: 'Sessions table' }).getByRole('rowheader', { name: /this one/ }).waitFor();
    expect(await browser.seriousAccessibilityViolations()).toEqual([]);
    await browser.screenshot('administration');
  });

  it('is usable by keyboard: the navigation and the feed list are reached with Tab', async () => {
    await page.goto(`${suite.server.url}/console/feed`);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Skip to content');
    const reached: string[] = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      reached.push(String(await page.evaluate("document.activeElement.getAttribute('aria-label') || document.activeElement.textContent")));
    }
    expect(reached).toEqual(expect.arrayContaining(['Live feed', 'Projections', 'Administration', 'Sign out', 'Apply', 'Events, newest first']));
  });

  it('is readable on a phone-sized screen: nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/feed', '/projections', '/admin']) {
      await page.goto(`${suite.server.url}/console${path}`);
      await page.locator('h1').waitFor();
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(`${path}: ${String(overflow)}`).toBe(`${path}: 0`);
      expect(await browser.seriousAccessibilityViolations()).toEqual([]);
    }
    await page.goto(`${suite.server.url}/console/feed`);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await browser.screenshot('feed-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('wrote nothing to the browser console', () => {
    expect(browser.errors).toEqual([]);
  });
});
