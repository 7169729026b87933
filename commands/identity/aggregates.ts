import { emailReservationDecider, emailReservationEventSchema } from '../../domain/email/email-reservation.js';
import { externalIdentityReservationDecider, externalIdentityReservationEventSchema } from '../../domain/external-identity/external-identity-reservation.js';
import { installationDecider, installationEventSchema } from '../../domain/installation/installation.js';
import { tenantDecider } from '../../domain/tenant/decider.js';
import { tenantEventSchema } from '../../domain/tenant/events.js';
import { TENANT_SNAPSHOT_VERSION, tenantSnapshotSchema } from '../../domain/tenant/snapshot.js';
import { TENANT_EVENT_VERSIONS } from '../../domain/tenant/upcasters.js';
import { userDecider } from '../../domain/user/decider.js';
import { userEventSchema } from '../../domain/user/events.js';
import { USER_SNAPSHOT_VERSION, userSnapshotSchema } from '../../domain/user/snapshot.js';
import { defineAggregate } from '../aggregate.js';

/** Every login adds to a user's stream, so users are loaded from snapshots. */
export const userAggregate = defineAggregate('user', userDecider, userEventSchema, {
  snapshot: { version: USER_SNAPSHOT_VERSION, schema: userSnapshotSchema },
});
/** Every invitation, acceptance and API key adds to the tenant's stream, so tenants are loaded from snapshots too. */
export const tenantAggregate = defineAggregate('tenant', tenantDecider, tenantEventSchema, {
  schemaVersions: TENANT_EVENT_VERSIONS,
  snapshot: { version: TENANT_SNAPSHOT_VERSION, schema: tenantSnapshotSchema },
});
export const emailReservationAggregate = defineAggregate('email', emailReservationDecider, emailReservationEventSchema);
export const installationAggregate = defineAggregate('installation', installationDecider, installationEventSchema);
export const externalIdentityReservationAggregate = defineAggregate(
  'external identity',
  externalIdentityReservationDecider,
  externalIdentityReservationEventSchema,
);

/** Identity's kinds of stream, as the identity feature lists them. */
export const identityAggregates = [userAggregate, tenantAggregate, emailReservationAggregate, installationAggregate, externalIdentityReservationAggregate] as const;
