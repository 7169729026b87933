import { createIdentity } from '../../api/identity/create-identity.js';
import { connectServices } from '../connect-services.js';
import { createFeatureContext } from '../feature-context.js';
import { DEMO_PASSWORD, seedDemo, type SeedDemoOptions } from '../seed/seed-demo.js';
import { renderSteps } from './progress-bar.js';
import { toolContext, writeLine } from './tool-context.js';

/**
 * Seeding signs up many accounts from one process with no client address: the
 * rate limits meant for strangers on the internet would stop it, so this
 * command alone lifts them (the installation's own settings are untouched).
 */
const SEED_LIMITS: Record<string, string> = {
  RATE_LIMIT_SIGNUP_PER_IP: '1000000',
  RATE_LIMIT_SIGNUP_PER_EMAIL: '1000000',
  RATE_LIMIT_LOGIN_PER_IP: '1000000',
  // The demo history mistypes some passwords.
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '1000000',
};

/** `chronicle seed-demo [--users N --posts N]`: demo data through the command handlers, with a progress bar; twice changes nothing. */
export async function seedDemoCommand(env: NodeJS.ProcessEnv, options: SeedDemoOptions): Promise<number> {
  const { config, logger, runtime } = toolContext({ ...env, ...SEED_LIMITS });
  try {
    const services = await connectServices(runtime, config, logger);
    const context = createFeatureContext(services);
    const identity = await createIdentity(context);
    const interactive = process.stderr.isTTY === true;
    const summary = await seedDemo({ identity, commands: context.commands, runtime: context.runtime }, options, (done, total) => {
      if (interactive) process.stderr.write(`\r${renderSteps(done, total)}  seeding`);
    });
    if (interactive) process.stderr.write('\n');
    await writeLine(
      `seeded ${summary.tenants} tenants, ${summary.users} users, ${summary.posts} posts, ${summary.collections} collections ` +
        `(${summary.created === 0 ? 'all there already' : `${summary.created} changes`}); every demo account's password is ${DEMO_PASSWORD}`,
    );
    return 0;
  } finally {
    await runtime.stop();
  }
}
