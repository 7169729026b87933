import type { Feature } from '../../app/feature.js';
import { auditEventsProjection } from '../../projections/audit/audit-events-projection.js';
import { auditReads } from '../../projections/audit/audit-queries.js';
import { auditApi } from './audit-routes.js';
import { sealProjections, sealRoutes } from './seal.js';

/**
 * Audit (docs/CONTRACT.md section 3, "Audit"; issue 13): who did what and
 * when, the causal chains, the state as it was, and tamper evidence. Each
 * part keeps its code in the layer folders (`projections/audit/`,
 * `domain/audit/`, `api/audit/`, `app/commands/audit-*.ts`) and lists its
 * pieces here.
 */
export function auditFeature(): Feature {
  return {
    name: 'audit',
    projections: [
      // The audit trail: every event, indexed by actor, tenant, stream, category, type, correlation and time.
      auditEventsProjection(),
      // Tamper evidence: the seal (a hash chain over the whole log) and the operators' verify and digest.
      ...sealProjections,
    ],
    api: (context) => ({
      routes: [auditApi({ reads: auditReads(context.services.knex), readYourWrites: context.readYourWrites }), sealRoutes(context)],
    }),
  };
}
