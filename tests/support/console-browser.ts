import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it); never a browser downloaded by Playwright. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

/**
 * One headless Chromium for a suite, and a page in it that records every
 * console error and uncaught exception, so a test can assert there were none.
 */
export class ConsoleBrowser {
  readonly errors: string[] = [];

  private constructor(
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async launch(viewport = { width: 1280, height: 860 }): Promise<ConsoleBrowser> {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    // Waits for what the page shows, not timers of the test's own: generous, for a machine busy with other work.
    page.setDefaultTimeout(30_000);
    const session = new ConsoleBrowser(browser, context, page);
    page.on('console', (message) => {
      if (message.type() === 'error') session.errors.push(`${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => session.errors.push(`uncaught: ${error.message}`));
    return session;
  }

  /** Fills and sends the sign-in form (on the sign-in page unless already there), then waits for the feed, where a signed-in person lands. */
  async signIn(baseUrl: string, email: string, password: string, options: { onSignInPage?: boolean } = {}): Promise<void> {
    if (!options.onSignInPage) await this.page.goto(`${baseUrl}/console/sign-in`);
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.waitForURL('**/console/feed');
  }

  /** axe-core on the page as it is now: the violations of serious or critical impact. */
  async seriousAccessibilityViolations(): Promise<AxeViolation[]> {
    // Evaluated over the DevTools protocol: the page's Content-Security-Policy (script-src 'self') does not apply.
    await this.page.evaluate(axeSource);
    // A script text, not a function: it runs in the page, whose globals (window, document) the test's types do not know.
    const violations = (await this.page.evaluate(`(async () => {
      const result = await window.axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })) }));
    })()`)) as AxeViolation[];
    return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  }

  /**
   * With CONSOLE_SCREENSHOTS=<folder> (npm run console:screenshots), the page as it is now into <folder>/<name>.png:
   * the README's pictures come from the end-to-end tests, never by hand.
   */
  async screenshot(name: string, options: { fullPage?: boolean } = {}): Promise<void> {
    const folder = process.env.CONSOLE_SCREENSHOTS;
    if (!folder) return;
    mkdirSync(folder, { recursive: true });
    await this.page.screenshot({ path: `${folder}/${name}.png`, fullPage: options.fullPage ?? false });
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
