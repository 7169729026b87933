import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { RouteModule } from './route-module.js';

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'snake_case, stable: match on this', example: 'not_found' }),
      message: z.string().meta({ description: 'for humans; may change' }),
      details: z.array(z.record(z.string(), z.unknown())).optional(),
    }),
  })
  // The id makes every use a $ref to one ErrorResponse component.
  .meta({ id: 'ErrorResponse', description: 'Every non-2xx answer' });

/** Ready-made `responses` entries for the errors a path can answer. */
export function errorResponses(...statuses: number[]): Record<number, { description: string; content: { 'application/json': { schema: typeof errorResponseSchema } } }> {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: `Error ${status}`, content: { 'application/json': { schema: errorResponseSchema } } }]),
  );
}

export function createOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'X-Api-Key' });
  return registry;
}

export interface ApiInfo {
  title: string;
  version: string;
}

/** Generated once, on first request, after every module has registered its paths. */
export function openApiRoutes(registry: OpenAPIRegistry, info: ApiInfo): RouteModule {
  let document: unknown;
  return {
    name: 'openapi',
    register({ router }) {
      router.get('/openapi.json', (_req, res) => {
        document ??= new OpenApiGeneratorV3(registry.definitions).generateDocument({
          openapi: '3.0.3',
          info: { ...info, description: 'Event-sourced CQRS backend. Errors are `{ error: { code, message, details? } }`.' },
        });
        res.json(document);
      });
    },
  };
}
