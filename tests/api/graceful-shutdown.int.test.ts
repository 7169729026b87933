import { afterEach, describe, expect, it } from '@jest/globals';
import type { RouteModule } from '../../api/route-module.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Gate {
  entered: Promise<void>;
  release(): void;
}

/** A route that holds its request until the test releases it. */
function heldRoute(): { module: RouteModule; gate: Gate } {
  let signalEntered: () => void = () => undefined;
  let release: () => void = () => undefined;
  const entered = new Promise<void>((resolve) => (signalEntered = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const module: RouteModule = {
    name: 'test-held',
    register({ router }) {
      router.get('/test/held', async (_req, res) => {
        signalEntered();
        await released;
        res.json({ finished: true });
      });
    },
  };
  return { module, gate: { entered, release } };
}

let app: TestApp | undefined;

afterEach(async () => {
  await app?.stop().catch(() => undefined);
  app = undefined;
});

describe('graceful shutdown', () => {
  it('finishes an in-flight request, refuses new connections, then stops', async () => {
    const { module, gate } = heldRoute();
    app = await startTestApp({ routeModules: [module], env: { SHUTDOWN_GRACE_MS: '10000' } });
    const { url, runtime } = app;

    const inFlight = fetch(`${url}/test/held`);
    await gate.entered;
    let stopped = false;
    const stopping = runtime.stop().then(() => (stopped = true));

    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    await expect(fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();

    gate.release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    await stopping;
    expect(stopped).toBe(true);
  });

  it('gives up on a request that outlasts SHUTDOWN_GRACE_MS', async () => {
    const { module, gate } = heldRoute();
    app = await startTestApp({ routeModules: [module], env: { SHUTDOWN_GRACE_MS: '300' } });
    const inFlight = fetch(`${app.url}/test/held`).then(
      () => 'answered',
      () => 'cut off',
    );
    await gate.entered;
    const started = Date.now();
    await app.runtime.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await inFlight).toBe('cut off');
    gate.release();
  });
});
