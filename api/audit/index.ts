import type { Feature } from '../../app/feature.js';
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
    // Tamper evidence: the seal (a hash chain over the whole log) and the operators' verify and digest.
    projections: [...sealProjections],
    api: (context) => ({ routes: [sealRoutes(context)] }),
  };
}
