import { z } from 'zod';
import type { CommandResult } from '../../commands/command-handler.js';
import type { IdentityService } from '../../auth/identity-service.js';
import type { UserEvent } from '../../domain/user/events.js';
import type { UserState } from '../../domain/user/state.js';
import { roleSchema } from '../../domain/user/roles.js';
import { ifMatchRevision } from '../if-match.js';
import { requestInfo } from '../request-info.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { roleRequestSchema, userParams, userRoleParams } from './auth-schemas.js';

const roleResultSchema = z
  .object({
    id: z.string(),
    revision: z.string().meta({ description: "The user stream's revision; send it back as If-Match: \"<revision>\"" }),
    position: z.string().nullable(),
    roles: z.array(roleSchema),
  })
  .meta({ id: 'UserRoles' });

const tags = ['identity'];
const ifMatchHeaders = z.object({ 'if-match': z.string().optional().meta({ description: 'The revision last seen, e.g. "3"; 412 when stale' }) });

/**
 * Grant and revoke roles: `admin` and `member` by an admin of the user's
 * tenant, `operator` by an operator. With If-Match the change applies only
 * to the revision the caller saw (412 otherwise); without it, it applies to
 * the current state (granting a held role changes nothing).
 */
export function rolesApi(identity: IdentityService): RouteModule {
  return routeModule('user-roles', [
    defineRoute({
      method: 'post', path: '/api/users/:id/roles', tags, auth: 'required',
      summary: 'Grant a role (admin for admin/member in their tenant, operator for operator)',
      request: { params: userParams, headers: ifMatchHeaders, body: roleRequestSchema },
      responses: { 200: { schema: roleResultSchema, description: "The user's roles now; ETag is the revision" } },
      errors: [403, 404, 412],
      async handler({ principal, params, body, req }) {
        const result = await identity.grantRole(principal, { userId: params.id, role: body.role, ...precondition(ifMatchRevision(req)) }, requestInfo(req));
        return answer(params.id, result);
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/users/:id/roles/:role', tags, auth: 'required',
      summary: "Revoke a role (same rules as granting); 409 last_admin when it would leave the tenant without an enabled admin",
      request: { params: userRoleParams, headers: ifMatchHeaders },
      responses: { 200: { schema: roleResultSchema, description: "The user's roles now; ETag is the revision" } },
      errors: [403, 404, 409, 412, 422],
      async handler({ principal, params, req }) {
        const result = await identity.revokeRole(principal, { userId: params.id, role: params.role, ...precondition(ifMatchRevision(req)) }, requestInfo(req));
        return answer(params.id, result);
      },
    }),
  ]);
}

function precondition(revision: bigint | undefined): { ifMatch?: bigint } {
  return revision === undefined ? {} : { ifMatch: revision };
}

function answer(userId: string, result: CommandResult<UserState, UserEvent>) {
  const roles = result.state.status === 'Active' ? [...result.state.roles] : [];
  return {
    status: 200 as const,
    body: { id: userId, revision: String(result.revision), position: result.position === undefined ? null : String(result.position), roles },
    headers: { ETag: `"${result.revision}"` },
  };
}
