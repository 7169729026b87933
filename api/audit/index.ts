import type { Feature } from '../../app/feature.js';
import { auditChainProjection } from '../../projections/audit/audit-chain-projection.js';
import { auditEventsProjection } from '../../projections/audit/audit-events-projection.js';

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
      // Tamper evidence: the seal (a hash chain over the whole log); the operators' verify and digest are routes (audit-http.ts).
      auditChainProjection(),
    ],
    // Loaded only by processes that serve HTTP: a CLI command connects the read models without the routes.
    api: async (context) => (await import('./audit-http.js')).auditHttp(context),
  };
}
