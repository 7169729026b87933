import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

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

const integerHeader = (description: string) => ({ description, schema: { type: 'integer' as const } });

/** What every answer of a rate-limited route carries, success or not (the tightest limit the request counted against). */
export const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': integerHeader('Attempts allowed per window by the tightest limit this request counted against'),
  'RateLimit-Remaining': integerHeader('Attempts left in its window'),
  'RateLimit-Reset': integerHeader('Seconds until its window (or block) ends'),
  'RateLimit-Policy': { description: 'The limit and its window in seconds: `10;w=3600`', schema: { type: 'string' as const } },
};

interface ErrorResponse {
  description: string;
  content: { 'application/json': { schema: typeof errorResponseSchema } };
  headers?: Record<string, { description: string; schema: { type: 'integer' | 'string' } }>;
}

/** Ready-made `responses` entries for the errors a path can answer; a 429 says which limit in `details` and when to come back. */
export function errorResponses(...statuses: number[]): Record<number, ErrorResponse> {
  return Object.fromEntries(
    statuses.map((status): [number, ErrorResponse] => {
      const response: ErrorResponse = { description: `Error ${status}`, content: { 'application/json': { schema: errorResponseSchema } } };
      if (status !== 429) return [status, response];
      return [
        status,
        {
          ...response,
          description: 'Too many requests: `details[0]` names the limit (`limit`), the variable that sets it (`variable`), `points`, `windowSeconds` and `retryAfterSeconds`',
          headers: { 'Retry-After': integerHeader('Seconds to wait'), ...RATE_LIMIT_HEADERS },
        },
      ];
    }),
  );
}

export function createOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'X-Api-Key' });
  return registry;
}
