import { z } from 'zod';
import type { IdentityService } from '../../auth/identity-service.js';
import { requireTenantAdmin } from '../../auth/policies.js';
import { tenantRoleSchema } from '../../domain/user/roles.js';
import { listTenantInvitations, type TenantInvitation } from '../../projections/identity/directory-queries.js';
import { TENANT_DIRECTORY } from '../../projections/identity/tenant-directory.js';
import { pageQuerySchema, pageRequest, pageSchema } from '../pagination.js';
import { minPositionHeaderSchema } from '../read-your-writes.js';
import { requestInfo } from '../request-info.js';
import { NO_STORE } from '../responses.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { invitationParams, invitationRequestSchema } from './auth-schemas.js';
import type { DirectoryReads } from './directory-reads.js';

const issuedInvitationSchema = z
  .object({
    invitationId: z.string(),
    token: z.string().meta({ description: 'Shown once: give it to the invitee, who signs up with it as invitationToken' }),
    email: z.string(),
    role: tenantRoleSchema,
    expiresAt: z.string(),
    revision: z.string().meta({ description: "The tenant stream's revision" }),
    position: z.string().nullable().meta({ description: 'Send as X-Min-Position to see the invitation in GET /api/invitations at once' }),
  })
  .meta({ id: 'IssuedInvitation' });

const invitationStatusSchema = z.enum(['pending', 'accepted', 'revoked', 'expired']);

const invitationSchema = z
  .object({
    invitationId: z.string(),
    email: z.string(),
    role: tenantRoleSchema,
    invitedBy: z.string(),
    status: invitationStatusSchema,
    acceptedBy: z.string().nullable(),
    issuedAt: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'Invitation' });

const invitationListQuery = pageQuerySchema.extend({ status: invitationStatusSchema.optional().meta({ description: 'Only invitations in this state' }) });

const tags = ['identity'];

/** An admin invites an email into their tenant, lists the tenant's invitations and withdraws pending ones. */
export function invitationsApi(identity: IdentityService, reads: DirectoryReads): RouteModule {
  return routeModule('invitations', [
    defineRoute({
      method: 'post', path: '/api/invitations', tags, auth: 'required',
      summary: 'Invite an email into your tenant (admin); the token is in this answer only. 409 email_taken when the address has an account',
      request: { body: invitationRequestSchema },
      responses: { 201: { schema: issuedInvitationSchema, description: 'The invitation' } },
      errors: [403, 409],
      async handler({ principal, body, req }) {
        const { email, role } = body;
        const invitation = await identity.invite(principal, { email, ...(role ? { role } : {}) }, requestInfo(req));
        const { revision, position, ...view } = invitation;
        return { status: 201, body: { ...view, revision: String(revision), position: position === undefined ? null : String(position) }, headers: NO_STORE };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/invitations', tags, auth: 'required',
      summary: "Your tenant's invitations, newest first, without their tokens (admin); cursor-paginated",
      request: { query: invitationListQuery, headers: minPositionHeaderSchema },
      responses: { 200: { schema: pageSchema(invitationSchema, 'InvitationPage'), description: 'One page' } },
      errors: [403, 504],
      async handler({ principal, query, req }) {
        const admin = requireTenantAdmin(principal, principal.tenantId);
        await reads.readYourWrites(req, [TENANT_DIRECTORY]);
        const page = await listTenantInvitations(reads.knex, admin.tenantId, {
          ...pageRequest(query),
          ...(query.status ? { status: query.status } : {}),
          now: reads.now(),
        });
        return { status: 200, body: { items: page.items.map(invitationView), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/invitations/:id', tags, auth: 'required',
      summary: 'Withdraw a pending invitation (admin): its token stops working at once; 409 invitation_used once accepted',
      request: { params: invitationParams },
      responses: { 204: { description: 'Withdrawn' } },
      errors: [403, 404, 409],
      async handler({ principal, params, req }) {
        await identity.revokeInvitation(principal, params.id, requestInfo(req));
        return { status: 204 };
      },
    }),
  ]);
}

function invitationView(invitation: TenantInvitation): z.infer<typeof invitationSchema> {
  return { ...invitation, issuedAt: invitation.issuedAt.toISOString(), expiresAt: invitation.expiresAt.toISOString() };
}
