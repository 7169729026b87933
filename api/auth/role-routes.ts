import type { Response } from 'express';
import { z } from 'zod';
import type { CommandResult } from '../../commands/command-handler.js';
import type { IdentityService } from '../../auth/identity-service.js';
import type { UserEvent } from '../../domain/user/events.js';
import type { UserState } from '../../domain/user/state.js';
import { roleSchema } from '../../domain/user/roles.js';
import { ifMatchRevision, setRevisionETag } from '../if-match.js';
import { errorResponses } from '../openapi.js';
import { requirePrincipal } from '../principal.js';
import type { RouteModule } from '../route-module.js';
import { parseBody, parseRequestPart } from '../validate.js';
import { roleRequestSchema, userParams, userRoleParams } from './auth-schemas.js';
import { json, jsonBody } from './auth-views.js';
import { requestInfo } from './request-info.js';

const roleResultSchema = z
  .object({
    id: z.string(),
    revision: z.string().meta({ description: "The user stream's revision; send it back as If-Match: \"<revision>\"" }),
    position: z.string().nullable(),
    roles: z.array(roleSchema),
  })
  .meta({ id: 'UserRoles' });

/**
 * Grant and revoke roles: `admin` and `member` by an admin of the user's
 * tenant, `operator` by an operator. With If-Match the change applies only
 * to the revision the caller saw (412 otherwise); without it, it applies to
 * the current state (granting a held role changes nothing).
 */
export function rolesApi(identity: IdentityService): RouteModule {
  return {
    name: 'user-roles',
    register({ router, openapi }) {
      router.post('/api/users/:id/roles', async (req, res) => {
        const principal = requirePrincipal(res);
        const { id } = parseRequestPart(userParams, req.params, 'path');
        const { role } = parseBody(roleRequestSchema, req);
        const result = await identity.grantRole(principal, { userId: id, role, ...precondition(ifMatchRevision(req)) }, requestInfo(req));
        answer(res, id, result);
      });

      router.delete('/api/users/:id/roles/:role', async (req, res) => {
        const principal = requirePrincipal(res);
        const { id, role } = parseRequestPart(userRoleParams, req.params, 'path');
        const result = await identity.revokeRole(principal, { userId: id, role, ...precondition(ifMatchRevision(req)) }, requestInfo(req));
        answer(res, id, result);
      });

      const tags = ['identity'];
      const security = [{ bearerAuth: [] }];
      const ifMatch = z.object({ 'if-match': z.string().optional().meta({ description: 'The revision last seen, e.g. "3"; 412 when stale' }) });
      openapi.registerPath({
        method: 'post', path: '/api/users/{id}/roles', tags, security,
        summary: 'Grant a role (admin for admin/member in their tenant, operator for operator)',
        request: { params: userParams, headers: ifMatch, ...jsonBody(roleRequestSchema) },
        responses: { 200: json(roleResultSchema, "The user's roles now; ETag is the revision"), ...errorResponses(400, 401, 403, 404, 412, 422) },
      });
      openapi.registerPath({
        method: 'delete', path: '/api/users/{id}/roles/{role}', tags, security,
        summary: "Revoke a role (same rules as granting); 409 last_admin when it would leave the tenant without an enabled admin",
        request: { params: userRoleParams, headers: ifMatch },
        responses: { 200: json(roleResultSchema, "The user's roles now; ETag is the revision"), ...errorResponses(400, 401, 403, 404, 409, 412, 422) },
      });
    },
  };
}

function precondition(revision: bigint | undefined): { ifMatch?: bigint } {
  return revision === undefined ? {} : { ifMatch: revision };
}

function answer(res: Response, userId: string, result: CommandResult<UserState, UserEvent>): void {
  setRevisionETag(res, result.revision);
  const roles = result.state.status === 'Active' ? [...result.state.roles] : [];
  res.json({ id: userId, revision: String(result.revision), position: result.position === undefined ? null : String(result.position), roles });
}
