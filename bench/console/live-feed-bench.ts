/**
 * The console's live feed under a flood (issue 14: "stays responsive at
 * 1,000 events/s"): `chronicle start` on a durable PostgreSQL, the console
 * in Debian's headless Chromium signed in as the tenant's admin and
 * following the posts, and a writer appending `perSecond` posts' creations
 * for `seconds`. Meanwhile the bench presses keys in the list and pauses and
 * resumes the feed, and a probe in the page records frames, long tasks,
 * input latency and the list's size in the DOM. The same interactions in a
 * quiet phase first (no events) are the reference: what the machine gives a
 * page doing nothing. At the end the list is read row by row and held
 * against the positions appended.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { ConsoleBrowser } from '../../tests/support/console-browser.js';
import { ConsoleServer } from '../../tests/support/console-server.js';
import { createPost, templateOf } from '../feed/post-writer.js';
import { send } from '../feed/tenant-admins.js';
import { cpuMs } from '../feed/process-usage.js';
import { browserCpuMs } from './browser-cpu.js';
import { percentile } from '../support/measure.js';
import { followPosts } from './node-follower.js';
import { appendPaced } from './paced-appends.js';
import { installProbe, startRecording, stopRecording, type PageRecording } from './page-probe.js';

const PASSWORD = 'correct horse battery staple';
/** One interaction every this many ms: two key presses in the list, then pause, then resume. */
const INTERACTION_EVERY_MS = 500;
const ROW_HEIGHT = 34;
/** As many connections as appends in flight: commits of a busy PostgreSQL take tens of ms, and the pace is one a millisecond. */
const APPEND_POOL_SIZE = 64;

export interface ConsoleBenchOptions {
  databaseUrl: string;
  perSecond: number;
  seconds: number;
  quietSeconds: number;
  /** Write a CPU profile of the page over the flood here (DevTools' .cpuprofile). */
  cpuProfileDir?: string;
}

export interface ListCheck {
  /** Rows the list holds (the oldest are let go past its cap). */
  rows: number;
  /** Rows that are not the appended event expected at their place (newest first), or could not be read. */
  wrong: number;
  /** From the last append's acknowledgement to the list showing it on top. */
  catchUpMs: number;
}

/** From each append's acknowledgement to its arrival at a FeedClient in the bench's own process, ms. */
export interface FollowerLag {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Of the appended events. */
  received: number;
}

export interface ConsoleBenchResult {
  quiet: PageRecording;
  flood: PageRecording;
  /** CPU time of the browser's processes (all of them, ms) and of the server's, over each phase. */
  cpuMs: { quiet: { browser: number; server: number }; flood: { browser: number; server: number } };
  appends: { count: number; seconds: number; delayed: number };
  list: ListCheck;
  follower: FollowerLag;
  loadAverage: { before: number[]; after: number[] };
}

export async function consoleLiveFeedBenchmark(options: ConsoleBenchOptions): Promise<ConsoleBenchResult> {
  const loadBefore = loadavg();
  const server = await ConsoleServer.start(options.databaseUrl, { ACCESS_TOKEN_TTL_SECONDS: '7200' });
  const store = await PostgresEventStore.connect({ connectionString: options.databaseUrl, logger: createLogger('silent'), poolSize: APPEND_POOL_SIZE });
  const browser = await ConsoleBrowser.launch();
  try {
    const email = `console-bench-${Date.now().toString(36)}@example.com`;
    const admin = await send<{ accessToken: string }>(server.url, 'POST', '/auth/signup', 201, { email, password: PASSWORD });
    const template = await templateOf(store, (await createPost(server.url, admin.accessToken, 0)).id);

    const page = browser.page;
    await installProbe(page);
    await browser.signIn(server.url, email, PASSWORD);
    // Posts only, from now: the list is then exactly what the writer appends.
    await page.getByLabel('Categories').fill('post');
    await page.getByRole('button', { name: 'Apply' }).click();
    await live(page);

    const serverPid = server.process.child.pid!;
    const cpu = async () => ({ browser: await browserCpuMs(), server: await cpuMs(serverPid) });
    const used = (before: { browser: number; server: number }, after: { browser: number; server: number }) => ({
      browser: after.browser - before.browser,
      server: after.server - before.server,
    });
    const quietStart = await cpu();
    await startRecording(page);
    await interactUntil(page, new Promise((resolve) => setTimeout(resolve, options.quietSeconds * 1_000)));
    const quiet = await stopRecording(page);
    const quietCpu = used(quietStart, await cpu());

    const follower = await followPosts(server.url, admin.accessToken);
    const floodStart = await cpu();
    await startRecording(page);
    const profiler = options.cpuProfileDir ? await startPageProfile(page) : undefined;
    const writing = appendPaced(store, template, options.perSecond, options.seconds);
    await interactUntil(page, writing);
    const flood = await stopRecording(page);
    const floodCpu = used(floodStart, await cpu());
    if (profiler && options.cpuProfileDir) await profiler.stop(options.cpuProfileDir);
    const appends = await writing;
    const appendedAt = performance.now();

    if (await page.getByRole('button', { name: 'Resume' }).isVisible()) await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('listbox').focus();
    await page.keyboard.press('Home');
    const newest = String(appends.positions.at(-1));
    await page.locator('[role=option][aria-posinset="1"] .position', { hasText: new RegExp(`^${newest}$`) }).waitFor({ timeout: 60_000 });
    const catchUpMs = performance.now() - appendedAt;
    const shown = await readList(page);
    const expected = appends.positions.map(String).reverse();
    const wrong = shown.filter((position, index) => position !== expected[index]).length;
    // The follower had as long as the page to receive the last one.
    follower.close();
    const lags = [...appends.ackedAt].flatMap(([position, ackedAt]) => {
      const arrivedAt = follower.arrivals.get(position);
      return arrivedAt === undefined ? [] : [arrivedAt - ackedAt];
    });
    const followerLag = { p50Ms: percentile(lags, 0.5), p99Ms: percentile(lags, 0.99), maxMs: Math.max(...lags), received: lags.length };
    const summary = { count: appends.positions.length, seconds: appends.seconds, delayed: appends.delayed };
    return { quiet, flood, cpuMs: { quiet: quietCpu, flood: floodCpu }, appends: summary, list: { rows: shown.length, wrong, catchUpMs }, follower: followerLag, loadAverage: { before: loadBefore, after: loadavg() } };
  } finally {
    await browser.close();
    await store.close();
    await server.stop();
  }
}

/** Key presses in the list, then a pause and a resume, one every INTERACTION_EVERY_MS, until `done` settles. */
async function interactUntil(page: Page, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.finally(() => (finished = true));
  const list = page.getByRole('listbox');
  for (let step = 0; !finished; step++) {
    const slot = performance.now();
    switch (step % 4) {
      case 0:
        await list.focus();
        await page.keyboard.press('ArrowDown');
        break;
      case 1:
        await page.keyboard.press('ArrowDown');
        break;
      case 2:
        await page.getByRole('button', { name: 'Pause' }).click();
        await page.getByRole('status').filter({ hasText: 'Paused' }).waitFor();
        break;
      default:
        await page.getByRole('button', { name: 'Resume' }).click();
        await live(page);
    }
    const rest = slot + INTERACTION_EVERY_MS - performance.now();
    if (rest > 0) await Promise.race([done, new Promise((resolve) => setTimeout(resolve, rest))]);
  }
  await done;
}

async function startPageProfile(page: Page): Promise<{ stop(dir: string): Promise<void> }> {
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.start');
  return {
    async stop(dir) {
      const { profile } = await session.send('Profiler.stop');
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `console-flood-${Date.now()}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      console.error(`console: the page's CPU profile over the flood is in ${file}`);
      await session.detach();
    },
  };
}

function live(page: Page): Promise<void> {
  return page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
}

/**
 * Every row's position, newest first, read by scrolling the list a screen at
 * a time (only the rows in view exist in the DOM). A script text: it runs in
 * the page, whose globals the bench's types do not know.
 */
async function readList(page: Page): Promise<Array<string | null>> {
  return (await page.evaluate(`(async () => {
    const list = document.querySelector('[role=listbox]');
    const frames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const seen = new Map();
    let rows = 0;
    for (let top = 0; ; top += Math.max(${ROW_HEIGHT}, list.clientHeight - ${ROW_HEIGHT})) {
      list.scrollTop = top;
      await frames();
      for (const row of list.querySelectorAll('[role=option]')) {
        rows = Number(row.getAttribute('aria-setsize'));
        seen.set(Number(row.getAttribute('aria-posinset')), row.querySelector('.position').textContent);
      }
      if (top + list.clientHeight >= list.scrollHeight) break;
    }
    return Array.from({ length: rows }, (_, index) => seen.get(index + 1) ?? null);
  })()`)) as Array<string | null>;
}
