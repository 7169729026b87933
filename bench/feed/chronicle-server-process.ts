/**
 * Chronicle's API (the `api` role: routes and the live feed, no projection
 * workers) in a process of its own, so that its resident memory is its own
 * and its CPU can be profiled for one measure at a time. Configured by the environment the
 * bench gives it; signup's password hash is made cheap, since 1,000 accounts
 * are signed up before anything is measured.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { identityFeature } from '../../api/identity/index.js';
import { connectServices } from '../../app/connect-services.js';
import { features, withFeature } from '../../app/features.js';
import { startRole } from '../../app/processes.js';
import { Runtime } from '../../app/runtime.js';
import { loadConfig } from '../../infra/config/config.js';
import { createLogger, standardLogDestination } from '../../infra/logging/logger.js';
import type { ChronicleServerApi } from './chronicle-api.js';
import { serveParent } from './child-rpc.js';

const BENCH_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

const config = loadConfig(process.env);
// stderr: the bench keeps its tail to explain a failure.
const logger = createLogger(config.LOG_LEVEL, standardLogDestination(2));
const runtime = new Runtime(logger);
let profiler: Session | undefined;

serveParent<ChronicleServerApi>({
  async listen() {
    const services = await connectServices(runtime, config, logger, withFeature(features, identityFeature({ scrypt: BENCH_SCRYPT })));
    const server = await startRole(runtime, services, 'api');
    return { url: server.url };
  },
  async startProfile() {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return null;
  },
  async stopProfile({ file }) {
    if (!profiler) throw new Error('no profile was started');
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = undefined;
    await writeFile(file, JSON.stringify(profile));
    return null;
  },
  async stop() {
    await runtime.stop();
    setImmediate(() => process.exit(0));
    return null;
  },
});
