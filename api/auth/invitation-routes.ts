import { z } from 'zod';
import type { IdentityService } from '../../auth/identity-service.js';
import { requireTenantAdmin } from '../../auth/policies.js';
import { tenantRoleSchema } from '../../domain/user/roles.js';
import { listTenantInvitations, type TenantInvitation } from '../../projections/identity/directory-queries.js';
import { TENANT_DIRECTORY } from '../../projections/identity/tenant-directory.js';
import { errorResponses } from '../openapi.js';
import { pageQuerySchema, pageRequest, pageSchema } from '../pagination.js';
import { requirePrincipal } from '../principal.js';
import { minPositionHeaderSchema } from '../read-your-writes.js';
import type { RouteModule } from '../route-module.js';
import { parseBody, parseRequestPart } from '../validate.js';
import { invitationParams, invitationRequestSchema } from './auth-schemas.js';
import { json, jsonBody, noStore } from './auth-views.js';
import type { DirectoryReads } from './directory-reads.js';
import { requestInfo } from './request-info.js';

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

/** An admin invites an email into their tenant, lists the tenant's invitations and withdraws pending ones. */
export function invitationsApi(identity: IdentityService, reads: DirectoryReads): RouteModule {
  return {
    name: 'invitations',
    register({ router, openapi }) {
      router.post('/api/invitations', async (req, res) => {
        const principal = requirePrincipal(res);
        const { email, role } = parseBody(invitationRequestSchema, req);
        const invitation = await identity.invite(principal, { email, ...(role ? { role } : {}) }, requestInfo(req));
        const { revision, position, ...view } = invitation;
        noStore(res).status(201).json({ ...view, revision: String(revision), position: position === undefined ? null : String(position) });
      });

      router.get('/api/invitations', async (req, res) => {
        const principal = requirePrincipal(res);
        const admin = requireTenantAdmin(principal, principal.tenantId);
        const query = parseRequestPart(invitationListQuery, req.query, 'query');
        await reads.readYourWrites(req, [TENANT_DIRECTORY]);
        const page = await listTenantInvitations(reads.knex, admin.tenantId, {
          ...pageRequest(query),
          ...(query.status ? { status: query.status } : {}),
          now: reads.now(),
        });
        res.json({ items: page.items.map(invitationView), nextCursor: page.nextCursor });
      });

      router.delete('/api/invitations/:id', async (req, res) => {
        const principal = requirePrincipal(res);
        const { id } = parseRequestPart(invitationParams, req.params, 'path');
        await identity.revokeInvitation(principal, id, requestInfo(req));
        res.status(204).end();
      });

      const tags = ['identity'];
      const security = [{ bearerAuth: [] }];
      openapi.registerPath({
        method: 'post', path: '/api/invitations', tags, security,
        summary: 'Invite an email into your tenant (admin); the token is in this answer only. 409 email_taken when the address has an account',
        request: jsonBody(invitationRequestSchema),
        responses: { 201: json(issuedInvitationSchema, 'The invitation'), ...errorResponses(400, 401, 403, 409, 422) },
      });
      openapi.registerPath({
        method: 'get', path: '/api/invitations', tags, security,
        summary: "Your tenant's invitations, newest first, without their tokens (admin); cursor-paginated",
        request: { query: invitationListQuery, headers: minPositionHeaderSchema },
        responses: { 200: json(pageSchema(invitationSchema, 'InvitationPage'), 'One page'), ...errorResponses(400, 401, 403, 504) },
      });
      openapi.registerPath({
        method: 'delete', path: '/api/invitations/{id}', tags, security,
        summary: 'Withdraw a pending invitation (admin): its token stops working at once; 409 invitation_used once accepted',
        request: { params: invitationParams },
        responses: { 204: { description: 'Withdrawn' }, ...errorResponses(400, 401, 403, 404, 409) },
      });
    },
  };
}

function invitationView(invitation: TenantInvitation): z.infer<typeof invitationSchema> {
  return { ...invitation, issuedAt: invitation.issuedAt.toISOString(), expiresAt: invitation.expiresAt.toISOString() };
}
