import { z } from 'zod';
import type { IdentityService } from '../../auth/identity-service.js';
import { tenantRoleSchema } from '../../domain/user/roles.js';
import { errorResponses } from '../openapi.js';
import { requirePrincipal } from '../principal.js';
import type { RouteModule } from '../route-module.js';
import { parseBody } from '../validate.js';
import { invitationRequestSchema } from './auth-schemas.js';
import { json, jsonBody, noStore } from './auth-views.js';
import { requestInfo } from './request-info.js';

const invitationSchema = z
  .object({
    invitationId: z.string(),
    token: z.string().meta({ description: 'Shown once: give it to the invitee, who signs up with it as invitationToken' }),
    email: z.string(),
    role: tenantRoleSchema,
    expiresAt: z.string(),
  })
  .meta({ id: 'Invitation' });

/** An admin invites an email into their tenant; the invitee signs up with the token. */
export function invitationsApi(identity: IdentityService): RouteModule {
  return {
    name: 'invitations',
    register({ router, openapi }) {
      router.post('/api/invitations', async (req, res) => {
        const principal = requirePrincipal(res);
        const { email, role } = parseBody(invitationRequestSchema, req);
        const invitation = await identity.invite(principal, { email, ...(role ? { role } : {}) }, requestInfo(req));
        noStore(res).status(201).json(invitation);
      });

      openapi.registerPath({
        method: 'post', path: '/api/invitations', tags: ['identity'], security: [{ bearerAuth: [] }],
        summary: "Invite an email into your tenant (admin); the token is in this answer only",
        request: jsonBody(invitationRequestSchema),
        responses: { 201: json(invitationSchema, 'The invitation'), ...errorResponses(400, 401, 403, 422) },
      });
    },
  };
}
