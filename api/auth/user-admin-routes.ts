import { z } from 'zod';
import type { IdentityService } from '../../auth/identity-service.js';
import { requireTenantAdmin } from '../../auth/policies.js';
import type { CommandResult } from '../../commands/command-handler.js';
import type { UserEvent } from '../../domain/user/events.js';
import { roleSchema } from '../../domain/user/roles.js';
import type { UserState } from '../../domain/user/state.js';
import { listTenantMembers, type TenantMember } from '../../projections/identity/directory-queries.js';
import { TENANT_DIRECTORY } from '../../projections/identity/tenant-directory.js';
import { pageQuerySchema, pageRequest, pageSchema } from '../pagination.js';
import { minPositionHeaderSchema } from '../read-your-writes.js';
import { requestInfo } from '../request-info.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { userParams } from './auth-schemas.js';
import type { DirectoryReads } from './directory-reads.js';

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

const tags = ['identity'];

const endedSessionsSchema = z.object({ endedSessions: z.number().int() }).meta({ id: 'EndedSessions' });

/**
 * Tenant administration beside roles (role-routes.ts): the members list,
 * disabling and enabling accounts, and signing a user out everywhere. A
 * disable applies to the user's very next request; admins of other tenants
 * see the user as missing (404).
 */
export function userAdminApi(identity: IdentityService, reads: DirectoryReads): RouteModule {
  return routeModule('user-admin', [
    defineRoute({
      method: 'get', path: '/api/users', tags, auth: 'required',
      summary: "Your tenant's members with their roles, in the order they joined (admin); cursor-paginated",
      request: { query: pageQuerySchema, headers: minPositionHeaderSchema },
      responses: { 200: { schema: pageSchema(memberSchema, 'TenantMemberPage'), description: 'One page' } },
      errors: [403, 504],
      async handler({ principal, query, req }) {
        const admin = requireTenantAdmin(principal, principal.tenantId);
        await reads.readYourWrites(req, [TENANT_DIRECTORY]);
        const page = await listTenantMembers(reads.knex, admin.tenantId, pageRequest(query));
        return { status: 200, body: { items: page.items.map(memberView), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/users/:id/disable', tags, auth: 'required',
      summary:
        "Disable a member (admin): their next request is refused, their sessions end, the API keys and pending invitations they issued are revoked; 409 last_admin for the tenant's last enabled admin",
      request: { params: userParams },
      responses: { 200: { schema: accountStateSchema, description: 'Disabled (again, harmlessly, if it already was)' } },
      errors: [403, 404, 409],
      async handler({ principal, params, req }) {
        return answer(params.id, await identity.disableUser(principal, params.id, requestInfo(req)));
      },
    }),
    defineRoute({
      method: 'post', path: '/api/users/:id/enable', tags, auth: 'required',
      summary: 'Enable a disabled member (admin): they may log in again; their revoked keys and ended sessions stay ended',
      request: { params: userParams },
      responses: { 200: { schema: accountStateSchema, description: 'Enabled' } },
      errors: [403, 404],
      async handler({ principal, params, req }) {
        return answer(params.id, await identity.enableUser(principal, params.id, requestInfo(req)));
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/users/:id/sessions', tags, auth: 'required',
      summary: 'End every session of a member (admin) or your own: refresh tokens and access tokens stop at once',
      request: { params: userParams },
      responses: { 200: { schema: endedSessionsSchema, description: 'How many sessions ended' } },
      errors: [403, 404],
      async handler({ principal, params }) {
        return { status: 200, body: { endedSessions: await identity.endUserSessions(principal, params.id) } };
      },
    }),
  ]);
}

function memberView(member: TenantMember): z.infer<typeof memberSchema> {
  return { ...member, joinedAt: member.joinedAt.toISOString() };
}

function answer(userId: string, result: CommandResult<UserState, UserEvent>) {
  return {
    status: 200 as const,
    body: {
      id: userId,
      revision: String(result.revision),
      position: result.position === undefined ? null : String(result.position),
      disabled: result.state.status === 'Active' && result.state.disabled,
    },
    headers: { ETag: `"${result.revision}"` },
  };
}
