import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { defineRoute, openApiPathOf, RouteDefinitionError } from '../../api/route.js';
import { routeModule } from '../../api/route-module.js';

const ok = { 204: { description: 'Done' } };
const handler = () => ({ status: 204 as const });

describe('defineRoute refuses a definition that cannot work, when the module is built', () => {
  it('derives the OpenAPI path from the express path once', () => {
    expect(openApiPathOf('/api/collections/:id/posts/:postId')).toBe('/api/collections/{id}/posts/{postId}');
    const route = defineRoute({
      method: 'delete', path: '/api/collections/:id/posts/:postId', tags: ['t'], summary: 's', auth: 'required',
      request: { params: z.object({ id: z.string(), postId: z.string() }) }, responses: ok, handler,
    });
    expect(route.openApi.path).toBe('/api/collections/{id}/posts/{postId}');
    expect(Object.keys(route.openApi.responses).sort()).toEqual(['204', '400', '401']);
  });

  it('a path parameter without a params schema, or a schema naming others', () => {
    expect(() => defineRoute({ method: 'get', path: '/things/:id', tags: [], summary: 's', auth: 'none', responses: ok, handler })).toThrow(RouteDefinitionError);
    expect(() =>
      defineRoute({ method: 'get', path: '/things/:id', tags: [], summary: 's', auth: 'none', request: { params: z.object({ thingId: z.string() }) }, responses: ok, handler }),
    ).toThrow(/must name exactly the path parameters/);
  });

  it('express syntax OpenAPI cannot say (wildcards, optional groups)', () => {
    expect(() => defineRoute({ method: 'get', path: '/files/*rest', tags: [], summary: 's', auth: 'none', responses: ok, handler })).toThrow(RouteDefinitionError);
    expect(() => defineRoute({ method: 'get', path: '/files{/:name}', tags: [], summary: 's', auth: 'none', responses: ok, handler })).toThrow(RouteDefinitionError);
  });

  it('a header schema with upper-case names, which node never delivers', () => {
    expect(() =>
      defineRoute({ method: 'get', path: '/x', tags: [], summary: 's', auth: 'none', request: { headers: z.object({ 'If-Match': z.string() }) }, responses: ok, handler }),
    ).toThrow(/lower case/);
  });
});

describe('routeModule', () => {
  const open = defineRoute({ method: 'get', path: '/open', tags: [], summary: 's', auth: 'none', responses: ok, handler });
  const closed = defineRoute({ method: 'get', path: '/closed', tags: [], summary: 's', auth: 'required', responses: ok, handler });

  it('is public exactly when none of its routes asks who is calling', () => {
    expect(routeModule('open', [open]).public).toBe(true);
    expect(routeModule('closed', [closed]).public).toBeUndefined();
  });

  it('refuses to mix public and authenticated routes, and a route defined twice', () => {
    expect(() => routeModule('mixed', [open, closed])).toThrow(/split it in two/);
    expect(() => routeModule('twice', [closed, closed])).toThrow(/defined twice/);
  });
});
