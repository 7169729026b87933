import { OpenApiGeneratorV3, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { defineRoute } from './route.js';
import { routeModule, type RouteModule } from './route-module.js';

export interface ApiInfo {
  title: string;
  version: string;
}

/** Generated once, on first request, after every module has registered its paths (this one included). */
export function openApiRoutes(registry: OpenAPIRegistry, info: ApiInfo): RouteModule {
  let document: Record<string, unknown> | undefined;
  return routeModule('openapi', [
    defineRoute({
      method: 'get', path: '/openapi.json', tags: ['operations'], auth: 'none',
      summary: 'This document: every route the API serves, generated from the same definitions that mount them',
      responses: { 200: { schema: z.record(z.string(), z.unknown()), description: 'OpenAPI 3.0' } },
      handler() {
        document ??= new OpenApiGeneratorV3(registry.definitions).generateDocument({
          openapi: '3.0.3',
          info: { ...info, description: 'Event-sourced CQRS backend. Errors are `{ error: { code, message, details? } }`.' },
        }) as unknown as Record<string, unknown>;
        return { status: 200, body: document };
      },
    }),
  ]);
}
