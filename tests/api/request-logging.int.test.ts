import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RouteModule } from '../../api/route-module.js';
import { EventStoreUnavailableError } from '../../infra/event-store/errors.js';
import { parseLogLines, type LogLine } from '../support/log-lines.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

class CauseOfTheFailure extends Error {}

/** Routes that fail on purpose: an unexpected error (500) and a dependency that is down (503). */
const failingRoutes: RouteModule = {
  name: 'failing-on-purpose',
  public: true,
  register({ router }) {
    router.get('/test/unexpected', () => {
      throw new CauseOfTheFailure('the cause of the failure');
    });
    router.get('/test/unavailable', () => {
      throw new EventStoreUnavailableError('the event store is down on purpose');
    });
  },
};

describe('request logging', () => {
  let app: TestApp;
  const written: string[] = [];
  beforeAll(async () => {
    // `start` runs the background services too: their records are checked for repeated keys as well.
    app = await startTestApp({ role: 'start', env: { LOG_LEVEL: 'info' }, routeModules: [failingRoutes], logDestination: { write: (line: string) => void written.push(line) } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** The records about one request, found by its id. */
  async function recordsOf(path: string): Promise<{ status: number; records: LogLine[] }> {
    const requestId = `test-${path.replaceAll('/', '-')}-${written.length}`;
    const response = await fetch(`${app.url}${path}`, { headers: { 'X-Request-Id': requestId } });
    await response.arrayBuffer();
    // The completion record is written when the response finishes, a moment after the client has it.
    const deadline = Date.now() + 5_000;
    let records: LogLine[] = [];
    while (Date.now() < deadline) {
      records = parseLogLines(written.join('')).filter((line) => line.record.requestId === requestId);
      if (records.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { status: response.status, records };
  }

  it('logs a 4xx once, at info', async () => {
    const { status, records } = await recordsOf('/no/such/route');
    expect(status).toBe(404);
    expect(records.map((line) => line.record.level)).toEqual([30]);
  });

  it.each([
    ['/test/unexpected', 500, 'the cause of the failure'],
    ['/test/unavailable', 503, 'the event store is down on purpose'],
  ])('logs a 5xx (%s) once, at error, with its cause', async (path, expectedStatus, cause) => {
    const { status, records } = await recordsOf(path);
    expect(status).toBe(expectedStatus);
    expect(records).toHaveLength(1);
    const [{ record }] = records as [LogLine];
    expect(record.level).toBe(50);
    expect(record.err).toMatchObject({ message: cause });
    expect(record.res).toMatchObject({ statusCode: expectedStatus });
  });

  it('never repeats a key within a record', async () => {
    await recordsOf('/no/such/route');
    const lines = parseLogLines(written.join(''));
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.filter((line) => line.duplicateKeys.length > 0).map((line) => line.raw)).toEqual([]);
  });
});
