/**
 * A second API process for the feed tests: the real composition (identity
 * with the test password hash, content, the feed) on FEED_CHILD_DATABASE_URL,
 * any free port. Prints `{"url": ...}` once listening; stops on SIGTERM.
 */
import { identityFeature } from '../../api/identity/index.js';
import { connectServices } from '../../app/connect-services.js';
import { features as installedFeatures, withFeature } from '../../app/features.js';
import { startRole } from '../../app/processes.js';
import { Runtime } from '../../app/runtime.js';
import { loadConfig } from '../../infra/config/config.js';
import { createLogger } from '../../infra/logging/logger.js';
import { TEST_SCRYPT } from './identity-harness.js';

const url = process.env.FEED_CHILD_DATABASE_URL;
if (!url) throw new Error('FEED_CHILD_DATABASE_URL is unset');
const config = loadConfig({ ...process.env, DATABASE_URL: url, EVENTSTORE_URL: '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: process.env.FEED_CHILD_LOG_LEVEL ?? 'silent' });
const logger = createLogger(config.LOG_LEVEL, process.stderr);
const runtime = new Runtime(logger);
const features = withFeature(installedFeatures, identityFeature({ scrypt: TEST_SCRYPT }));
const services = await connectServices(runtime, config, logger, features);
const server = await startRole(runtime, services, 'api');
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once('SIGTERM', () => {
  void runtime
    .stop()
    .catch(() => undefined)
    .finally(() => process.exit(0));
});
