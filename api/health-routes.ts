import { z } from 'zod';
import type { ErrorBody } from './error-middleware.js';
import { errorResponseSchema } from './openapi.js';
import type { RouteModule } from './route-module.js';

export type CheckResult = {
  ok: boolean;
  /** One line, safe to show to anyone who can reach /readyz: no credentials. */
  detail: string;
};

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<CheckResult>;
}

const checkSchema = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });
const healthSchema = z.object({ status: z.literal('ok') });
const readySchema = z.object({ status: z.literal('ready'), checks: z.array(checkSchema) });

/** /healthz: the process answers. /readyz: every dependency is usable, checked concurrently and each bounded in time. */
export function healthRoutes(checks: readonly ReadinessCheck[], timeoutMs: number): RouteModule {
  return {
    name: 'health',
    register({ router, openapi }) {
      router.get('/healthz', (_req, res) => {
        res.json({ status: 'ok' });
      });
      router.get('/readyz', async (_req, res) => {
        const results = await Promise.all(checks.map((check) => runCheck(check, timeoutMs)));
        const failing = results.filter((result) => !result.ok);
        if (failing.length === 0) {
          res.json({ status: 'ready', checks: results });
          return;
        }
        const body: ErrorBody = {
          error: { code: 'not_ready', message: `not ready: ${failing.map((result) => result.name).join(', ')}`, details: results },
        };
        res.status(503).json(body);
      });

      openapi.registerPath({
        method: 'get',
        path: '/healthz',
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        responses: { 200: { description: 'Up', content: { 'application/json': { schema: healthSchema } } } },
      });
      openapi.registerPath({
        method: 'get',
        path: '/readyz',
        tags: ['operations'],
        summary: 'Readiness: PostgreSQL reachable, migrations applied, event store healthy',
        responses: {
          200: { description: 'Ready', content: { 'application/json': { schema: readySchema } } },
          503: {
            description: 'A dependency is not usable; `details` lists every check as `{ name, ok, detail }`',
            content: { 'application/json': { schema: errorResponseSchema } },
          },
        },
      });
    },
  };
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult & { name: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    const result = await Promise.race([check.check(), timeout]);
    return { name: check.name, ok: result.ok, detail: result.detail };
  } catch (error) {
    return { name: check.name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
