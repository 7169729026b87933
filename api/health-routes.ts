import { z } from 'zod';
import { errorResponseSchema } from './openapi.js';
import { defineRoute } from './route.js';
import { routeModule, type RouteModule } from './route-module.js';

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

const tags = ['operations'];

/** /healthz: the process answers. /readyz: every dependency is usable, checked concurrently and each bounded in time. */
export function healthRoutes(checks: readonly ReadinessCheck[], timeoutMs: number): RouteModule {
  return routeModule('health', [
    defineRoute({
      method: 'get', path: '/healthz', tags, auth: 'none',
      summary: 'Liveness: the process is up',
      responses: { 200: { schema: healthSchema, description: 'Up' } },
      handler: () => ({ status: 200, body: { status: 'ok' as const } }),
    }),
    defineRoute({
      method: 'get', path: '/readyz', tags, auth: 'none',
      summary: 'Readiness: PostgreSQL reachable, migrations applied, event store healthy',
      responses: {
        200: { schema: readySchema, description: 'Ready' },
        503: { schema: errorResponseSchema, description: 'A dependency is not usable; `details` lists every check as `{ name, ok, detail }`' },
      },
      async handler() {
        const results = await Promise.all(checks.map((check) => runCheck(check, timeoutMs)));
        const failing = results.filter((result) => !result.ok);
        if (failing.length === 0) return { status: 200, body: { status: 'ready' as const, checks: results } };
        return { status: 503, body: { error: { code: 'not_ready', message: `not ready: ${failing.map((result) => result.name).join(', ')}`, details: results } } };
      },
    }),
  ]);
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
