import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { expectJson, type AuthAnswer, type HttpClient } from '../support/auth-http.js';
import type { ConsoleBrowser } from '../support/console-browser.js';
import type { ConsoleServer } from '../support/console-server.js';
import { ConsoleSuite } from '../support/console-suite.js';
import { freePort } from '../support/free-port.js';
import { GOOD_PASSWORD } from '../support/identity-harness.js';
import { startTestOpenIdProvider, type TestOpenIdProvider } from '../support/oidc-test-provider.js';

/**
 * The console in a real headless Chromium against `chronicle start`: sign
 * in (with a password, and through an OpenID provider), the live feed (an
 * API write on screen within a second, pause and resume without a gap,
 * detail, filters), and what the person sees when the session ends or the
 * server goes away.
 */
let suite: ConsoleSuite;
let server: ConsoleServer;
let browser: ConsoleBrowser;
let http: HttpClient;
let admin: AuthAnswer;
let page: Page;
let provider: TestOpenIdProvider;

const createPost = async (title: string) =>
  expectJson<{ id: string; position: string }>(await http.post('/api/posts', { title, body: 'from the API' }, { bearer: admin.accessToken }), 201);
const rowsOf = (stream: string) => page.locator('[role=option]', { hasText: stream });

// A browser and a server on a machine shared with other work: every wait is on what the page shows, with room.
jest.setTimeout(90_000);

beforeAll(async () => {
  // The provider must know the console's callback address, and so the server's port, before either starts.
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/console/oidc/test/callback`;
  provider = await startTestOpenIdProvider(redirectUri);
  suite = await ConsoleSuite.start({
    admin: { email: 'console-admin@example.com', displayName: 'Console Admin' },
    env: {
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      OIDC_PROVIDERS: 'test',
      OIDC_TEST_ISSUER: provider.issuer,
      OIDC_TEST_CLIENT_ID: provider.clientId,
      OIDC_TEST_CLIENT_SECRET: provider.clientSecret,
      OIDC_TEST_REDIRECT_URI: redirectUri,
    },
    port,
  });
  ({ server, browser, http, admin, page } = suite);
}, 180_000);

afterAll(async () => {
  await suite?.stop();
  await provider?.close();
});

describe('console: sign in and the live feed', () => {
  it('sends a visitor to sign in, signs in with a password and shows the user and the tenant', async () => {
    await page.goto(`${server.url}/console`);
    await page.waitForURL('**/console/sign-in');
    expect(await browser.seriousAccessibilityViolations()).toEqual([]);
    await browser.screenshot('sign-in');

    await browser.signIn(server.url, admin.user.email, GOOD_PASSWORD, { onSignInPage: true });

    const who = page.getByLabel('Signed in as');
    await expect(who.textContent()).resolves.toContain(admin.user.email);
    await expect(who.textContent()).resolves.toContain(admin.user.tenantId);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    expect(await browser.seriousAccessibilityViolations()).toEqual([]);
  });

  it('shows a post created over the API within a second', async () => {
    const post = await createPost('Seen live');
    // The issue's promise, as stated: on screen within one second of the API's answer.
    await rowsOf(`post-${post.id}`).waitFor({ timeout: 1_000 });
    await expect(rowsOf(`post-${post.id}`).textContent()).resolves.toContain('PostCreated');
  });

  it('pauses, and resumes from the last position with nothing missed and nothing twice', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('status').filter({ hasText: 'Paused' }).waitFor();
    const whilePaused = [await createPost('Paused 1'), await createPost('Paused 2'), await createPost('Paused 3')];
    await expect(rowsOf(`post-${whilePaused[0]!.id}`).count()).resolves.toBe(0);

    await page.getByRole('button', { name: 'Resume' }).click();
    for (const post of whilePaused) await rowsOf(`post-${post.id}`).waitFor();
    for (const post of whilePaused) await expect(rowsOf(`post-${post.id}`).count()).resolves.toBe(1);
    // Newest first: the last post written is above the first.
    const order = await page.locator('[role=option] .stream').allTextContents();
    expect(order.indexOf(`post-${whilePaused[2]!.id}`)).toBeLessThan(order.indexOf(`post-${whilePaused[0]!.id}`));
  });

  it('shows an event in detail, by mouse and by keyboard', async () => {
    const post = await createPost('In detail');
    await rowsOf(`post-${post.id}`).click();
    const detail = page.getByRole('region', { name: 'Event detail' });
    await expect(detail.getByLabel('Event data').textContent()).resolves.toContain('"title": "In detail"');
    await expect(detail.getByLabel('Event metadata').textContent()).resolves.toContain(`"id": "${admin.user.id}"`);

    await page.getByRole('listbox', { name: 'Events, newest first' }).focus();
    await page.keyboard.press('End');
    await expect(detail.textContent()).resolves.not.toContain('In detail');
    await page.keyboard.press('Home');
    await expect(detail.getByLabel('Event data').textContent()).resolves.toContain('"title": "In detail"');
    await browser.screenshot('feed');
  });

  it('filters by stream, from the start of the log', async () => {
    const post = await createPost('Filtered');
    await createPost('Not in the filter');
    await page.getByLabel('Streams').fill(`post-${post.id}`);
    await page.getByLabel('From').selectOption('start');
    await page.getByRole('button', { name: 'Apply' }).click();
    await rowsOf(`post-${post.id}`).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await expect(page.locator('[role=option]').count()).resolves.toBe(1);
  });

  it('wrote nothing to the browser console', () => {
    expect(browser.errors).toEqual([]);
  });

  it('shows the feed reconnecting while the server is away, then live again', async () => {
    await page.getByLabel('Streams').fill('');
    await page.getByLabel('From').selectOption('live');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    await server.stop();
    await page.getByRole('status').filter({ hasText: 'reconnecting' }).waitFor();
    await suite.restartServer();
    ({ server, http } = suite);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    const post = await createPost('After the restart');
    await rowsOf(`post-${post.id}`).waitFor();
  });

  it('sends the person to sign in again when the server ends the session', async () => {
    await expectJson(await http.delete(`/api/users/${admin.user.id}/sessions`, { bearer: admin.accessToken }), 200);
    // The next request of the console meets a 401 its refresh cannot cure.
    await page.getByRole('link', { name: 'Projections' }).click();
    await page.waitForURL('**/console/sign-in');
    await page.getByText('Your session has ended: sign in again.').waitFor();
  });

  it('signs in through the configured OpenID provider, and shows the user and the tenant of the session it made', async () => {
    const grace = { sub: 'console-grace', email: 'grace@example.com', emailVerified: true, name: 'Grace Hopper' };
    provider.signInAs(grace);
    const errorsBefore = browser.errors.length;
    await page.getByRole('link', { name: 'test', exact: true }).click();
    // Through the provider's login and consent and back to the console's callback page, which lands on the feed.
    await page.waitForURL('**/console/feed');
    const session = JSON.parse((await page.evaluate("sessionStorage.getItem('chronicle.console.session')")) as string) as AuthAnswer;
    const me = await expectJson<AuthAnswer['user']>(await http.get('/auth/me', { bearer: session.accessToken }), 200);
    expect(me).toMatchObject({ email: grace.email, displayName: grace.name });
    // A first login through the provider signs up: a tenant of its own, not the admin's.
    expect(me.tenantId).not.toBe(admin.user.tenantId);
    const who = page.getByLabel('Signed in as');
    await expect(who.textContent()).resolves.toContain(grace.email);
    await expect(who.textContent()).resolves.toContain(me.tenantId);
    await expect(who.textContent()).resolves.toContain(grace.name);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    expect(browser.errors.slice(errorsBefore)).toEqual([]);
  });
});
