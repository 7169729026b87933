import { emailReservationDecider, emailReservationEventSchema } from '../domain/email/email-reservation.js';
import { externalIdentityReservationDecider, externalIdentityReservationEventSchema } from '../domain/external-identity/external-identity-reservation.js';
import { installationDecider, installationEventSchema } from '../domain/installation/installation.js';
import { tenantDecider } from '../domain/tenant/decider.js';
import { tenantEventSchema } from '../domain/tenant/events.js';
import { userDecider } from '../domain/user/decider.js';
import { userEventSchema } from '../domain/user/events.js';
import { defineAggregate } from './aggregate.js';

export const userAggregate = defineAggregate('user', userDecider, userEventSchema);
export const tenantAggregate = defineAggregate('tenant', tenantDecider, tenantEventSchema);
export const emailReservationAggregate = defineAggregate('email', emailReservationDecider, emailReservationEventSchema);
export const installationAggregate = defineAggregate('installation', installationDecider, installationEventSchema);
export const externalIdentityReservationAggregate = defineAggregate(
  'external identity',
  externalIdentityReservationDecider,
  externalIdentityReservationEventSchema,
);
