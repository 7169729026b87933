import type { Response } from 'express';
import { z } from 'zod';
import type { IdentityService } from '../../auth/identity-service.js';
import { requireTenantAdmin } from '../../auth/policies.js';
import type { CommandResult } from '../../commands/command-handler.js';
import type { UserEvent } from '../../domain/user/events.js';
import { roleSchema } from '../../domain/user/roles.js';
import type { UserState } from '../../domain/user/state.js';
import { listTenantMembers, type TenantMember } from '../../projections/identity/directory-queries.js';
import { TENANT_DIRECTORY } from '../../projections/identity/tenant-directory.js';
import { setRevisionETag } from '../if-match.js';
import { errorResponses } from '../openapi.js';
import { pageQuerySchema, pageRequest, pageSchema } from '../pagination.js';
import { requirePrincipal } from '../principal.js';
import { minPositionHeaderSchema } from '../read-your-writes.js';
import type { RouteModule } from '../route-module.js';
import { parseRequestPart } from '../validate.js';
import { userParams } from './auth-schemas.js';
import { json } from './auth-views.js';
import type { DirectoryReads } from './directory-reads.js';
import { requestInfo } from './request-info.js';

const memberSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    roles: z.array(roleSchema),
    disabled: z.boolean(),
    emailVerified: z.boolean(),
    joinedAt: z.string(),
  })
  .meta({ id: 'TenantMember' });

const accountStateSchema = z
  .object({
    id: z.string(),
    revision: z.string().meta({ description: "The user stream's revision (also the ETag)" }),
    position: z.string().nullable().meta({ description: 'Send as X-Min-Position to see the change in GET /api/users at once' }),
    disabled: z.boolean(),
  })
  .meta({ id: 'AccountState' });

const endedSessionsSchema = z.object({ endedSessions: z.number().int() }).meta({ id: 'EndedSessions' });

/**
 * Tenant administration beside roles (role-routes.ts): the members list,
 * disabling and enabling accounts, and signing a user out everywhere. A
 * disable applies to the user's very next request; admins of other tenants
 * see the user as missing (404).
 */
export function userAdminApi(identity: IdentityService, reads: DirectoryReads): RouteModule {
  return {
    name: 'user-admin',
    register({ router, openapi }) {
      router.get('/api/users', async (req, res) => {
        const principal = requirePrincipal(res);
        const admin = requireTenantAdmin(principal, principal.tenantId);
        const query = parseRequestPart(pageQuerySchema, req.query, 'query');
        await reads.readYourWrites(req, [TENANT_DIRECTORY]);
        const page = await listTenantMembers(reads.knex, admin.tenantId, pageRequest(query));
        res.json({ items: page.items.map(memberView), nextCursor: page.nextCursor });
      });

      router.post('/api/users/:id/disable', async (req, res) => {
        const { id } = parseRequestPart(userParams, req.params, 'path');
        answer(res, id, await identity.disableUser(requirePrincipal(res), id, requestInfo(req)));
      });

      router.post('/api/users/:id/enable', async (req, res) => {
        const { id } = parseRequestPart(userParams, req.params, 'path');
        answer(res, id, await identity.enableUser(requirePrincipal(res), id, requestInfo(req)));
      });

      router.delete('/api/users/:id/sessions', async (req, res) => {
        const { id } = parseRequestPart(userParams, req.params, 'path');
        res.json({ endedSessions: await identity.endUserSessions(requirePrincipal(res), id) });
      });

      const tags = ['identity'];
      const security = [{ bearerAuth: [] }];
      openapi.registerPath({
        method: 'get', path: '/api/users', tags, security,
        summary: "Your tenant's members with their roles, in the order they joined (admin); cursor-paginated",
        request: { query: pageQuerySchema, headers: minPositionHeaderSchema },
        responses: { 200: json(pageSchema(memberSchema, 'TenantMemberPage'), 'One page'), ...errorResponses(400, 401, 403, 504) },
      });
      openapi.registerPath({
        method: 'post', path: '/api/users/{id}/disable', tags, security,
        summary:
          "Disable a member (admin): their next request is refused, their sessions end, the API keys and pending invitations they issued are revoked; 409 last_admin for the tenant's last enabled admin",
        request: { params: userParams },
        responses: { 200: json(accountStateSchema, 'Disabled (again, harmlessly, if it already was)'), ...errorResponses(400, 401, 403, 404, 409) },
      });
      openapi.registerPath({
        method: 'post', path: '/api/users/{id}/enable', tags, security,
        summary: 'Enable a disabled member (admin): they may log in again; their revoked keys and ended sessions stay ended',
        request: { params: userParams },
        responses: { 200: json(accountStateSchema, 'Enabled'), ...errorResponses(400, 401, 403, 404) },
      });
      openapi.registerPath({
        method: 'delete', path: '/api/users/{id}/sessions', tags, security,
        summary: "End every session of a member (admin) or your own: refresh tokens and access tokens stop at once",
        request: { params: userParams },
        responses: { 200: json(endedSessionsSchema, 'How many sessions ended'), ...errorResponses(400, 401, 403, 404) },
      });
    },
  };
}

function memberView(member: TenantMember): z.infer<typeof memberSchema> {
  return { ...member, joinedAt: member.joinedAt.toISOString() };
}

function answer(res: Response, userId: string, result: CommandResult<UserState, UserEvent>): void {
  setRevisionETag(res, result.revision);
  res.json({
    id: userId,
    revision: String(result.revision),
    position: result.position === undefined ? null : String(result.position),
    disabled: result.state.status === 'Active' && result.state.disabled,
  });
}
