import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { expectJson, type AuthAnswer, type HttpClient } from '../support/auth-http.js';
import type { ConsoleBrowser } from '../support/console-browser.js';
import { ConsoleSuite } from '../support/console-suite.js';

/**
 * The streams-and-audit page in headless Chromium: an actor's event found
 * and its causal chain drawn as a tree; a post shown as it was
 * (an earlier title) and the difference between two revisions; a row
 * changed behind the application's back shown as failed verification.
 */
let suite: ConsoleSuite;
let browser: ConsoleBrowser;
let http: HttpClient;
let admin: AuthAnswer;
let page: Page;
let post: { id: string };
let updated: { position: string };

// A browser and a server on a machine shared with other work: every wait is on what the page shows, with room.
jest.setTimeout(90_000);

beforeAll(async () => {
  suite = await ConsoleSuite.start({ admin: { email: 'console-auditor@example.com', displayName: 'Console Auditor' } });
  ({ browser, http, admin, page } = suite);
  post = await expectJson<{ id: string }>(await http.post('/api/posts', { title: 'The first title', body: 'v1' }, { bearer: admin.accessToken }), 201);
  updated = await expectJson<{ position: string }>(await http.call('PUT', `/api/posts/${post.id}`, { bearer: admin.accessToken, body: { title: 'The second title', body: 'v2' } }), 200);
  await suite.signInAdmin();
  await page.getByRole('link', { name: 'Streams and audit' }).click();
  await page.waitForURL('**/console/audit');
}, 180_000);

afterAll(() => suite?.stop());

describe('console: streams and audit', () => {
  it("finds an actor's event and shows its chain as a tree", async () => {
    await page.getByLabel('Actor id').fill(admin.user.id);
    await page.getByLabel('Event type').fill('PostCreated');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('region', { name: 'Search results' });
    await results.getByRole('button', { name: 'PostCreated' }).click();
    await page.getByRole('button', { name: 'Show its chain' }).click();
    const tree = page.getByRole('list', { name: 'Causal chain' });
    await expect(tree.textContent()).resolves.toContain(`post-${post.id}`);
    await expect(tree.textContent()).resolves.toContain('PostCreated');
    expect(await browser.seriousAccessibilityViolations()).toEqual([]);
  });

  it('shows a post as of an earlier revision: its earlier title, and the difference', async () => {
    await page.getByLabel('Post id').fill(post.id);
    await page.getByLabel(/^As of/).fill('0');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect(page.getByTestId('as-of-title').textContent()).resolves.toBe('The first title');
    await page.getByLabel('Revision', { exact: true }).fill('0');
    await page.getByLabel('against revision').fill('1');
    await page.getByRole('button', { name: 'Compare' }).click();
    const difference = page.getByRole('table', { name: 'Difference between the two revisions' });
    await expect(difference.textContent()).resolves.toContain('The second title');
    expect(await browser.seriousAccessibilityViolations()).toEqual([]);
  });

  it('shows a row changed behind the application as failed verification, with the signed digest', async () => {
    // The seal covers the post's events before they are changed behind its back (else it would seal the forgery).
    await expectJson(await http.get('/api/admin/audit/verify', { bearer: admin.accessToken, headers: { 'X-Min-Position': updated.position } }), 200);
    await page.getByRole('button', { name: 'Verify the log' }).click();
    await page.getByRole('status').filter({ hasText: 'Verified' }).waitFor();
    await page.getByRole('group', { name: 'Latest signed digest' }).waitFor();

    const client = new pg.Client(suite.database.url);
    await client.connect();
    try {
      await client.query(`UPDATE events SET data = '{"title": "forged"}' WHERE stream_id = $1`, [`post-${post.id}`]);
    } finally {
      await client.end();
    }
    await page.getByRole('button', { name: 'Verify the log' }).click();
    await page.getByRole('status').filter({ hasText: 'Verification failed' }).waitFor();
    await expect(page.getByRole('status').filter({ hasText: 'Verification failed' }).textContent()).resolves.toContain(`post-${post.id}`);
    await browser.screenshot('audit-page', { fullPage: true });
  });

  it('wrote nothing to the browser console', () => {
    expect(browser.errors).toEqual([]);
  });
});
