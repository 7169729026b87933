/**
 * One role of Chronicle in a process of its own, for the analytics bench's
 * installation of separate processes (`chronicle api` beside `chronicle
 * worker`, as the README's deployment runs them): ROLE is `api` or `worker`,
 * the rest of the configuration comes from the environment the bench gives.
 */
import { identityFeature } from '../../api/identity/index.js';
import { connectServices } from '../../app/connect-services.js';
import { features, withFeature } from '../../app/features.js';
import { startRole } from '../../app/processes.js';
import { Runtime } from '../../app/runtime.js';
import { loadConfig } from '../../infra/config/config.js';
import { createLogger, standardLogDestination } from '../../infra/logging/logger.js';
import { serveParent } from '../feed/child-rpc.js';
import type { AnalyticsRoleApi } from './analytics-role-api.js';

const BENCH_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
const role = process.env.ROLE === 'worker' ? 'worker' : 'api';

const config = loadConfig(process.env);
// stderr: the bench keeps its tail to explain a failure.
const logger = createLogger(config.LOG_LEVEL, standardLogDestination(2));
const runtime = new Runtime(logger);

serveParent<AnalyticsRoleApi>({
  async listen() {
    const services = await connectServices(runtime, config, logger, withFeature(features, identityFeature({ scrypt: BENCH_SCRYPT })));
    const server = await startRole(runtime, services, role);
    return { url: server.url };
  },
  async stop() {
    await runtime.stop();
    setImmediate(() => process.exit(0));
    return null;
  },
});
