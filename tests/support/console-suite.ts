import type { Page } from 'playwright-core';
import { HttpClient, type AuthAnswer } from './auth-http.js';
import { ConsoleBrowser } from './console-browser.js';
import { ConsoleServer } from './console-server.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { GOOD_PASSWORD } from './identity-harness.js';

export interface ConsoleSuiteOptions {
  /** The first account of the fresh installation: its tenant's admin and the installation's operator. */
  admin: { email: string; displayName: string };
  /** Settings of `chronicle start` beyond the test defaults. */
  env?: Record<string, string>;
  /** The server's port, when something must know it before the server starts (an OpenID provider's redirect URI). */
  port?: number;
}

/**
 * What every console end-to-end suite stands on: a test database,
 * `chronicle start` on it, the admin signed up over HTTP, and one headless
 * Chromium; stopped in the reverse order, whatever part of it started.
 */
export class ConsoleSuite {
  private constructor(
    readonly database: TestDatabase,
    public server: ConsoleServer,
    public http: HttpClient,
    readonly admin: AuthAnswer,
    readonly browser: ConsoleBrowser,
  ) {}

  static async start(options: ConsoleSuiteOptions): Promise<ConsoleSuite> {
    const database = await createTestDatabase();
    // Chromium starts while the server loads: each waits on its own process.
    const [server, browser] = await Promise.allSettled([ConsoleServer.start(database.url, options.env, options.port), ConsoleBrowser.launch()]);
    try {
      if (server.status === 'rejected') throw server.reason;
      if (browser.status === 'rejected') throw browser.reason;
      const http = new HttpClient(server.value.url);
      const admin = await http.signup(options.admin);
      return new ConsoleSuite(database, server.value, http, admin, browser.value);
    } catch (error) {
      if (browser.status === 'fulfilled') await browser.value.close();
      if (server.status === 'fulfilled') await server.value.stop();
      await database.drop();
      throw error;
    }
  }

  get page(): Page {
    return this.browser.page;
  }

  /** Signs the admin in through the sign-in form; the browser lands on the feed. */
  signInAdmin(): Promise<void> {
    return this.browser.signIn(this.server.url, this.admin.user.email, GOOD_PASSWORD);
  }

  /** The same installation again, on the same address (the server went away and came back). */
  async restartServer(): Promise<void> {
    this.server = await this.server.restart();
    this.http = new HttpClient(this.server.url);
  }

  async stop(): Promise<void> {
    await this.browser.close();
    await this.server.stop();
    await this.database.drop();
  }
}
