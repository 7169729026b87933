import type { Knex } from 'knex';
import { signAuditDigest } from '../../auth/tokens/audit-digest.js';
import type { KeyStore } from '../../auth/tokens/key-store.js';
import { requireOperator } from '../../auth/policies.js';
import { ConflictError } from '../../domain/shared/errors.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import { AUDIT_CHAIN_PROJECTION } from '../../projections/audit/audit-chain-projection.js';
import { chainHead } from '../../projections/audit/chain-head.js';
import { chainReportJson } from '../../projections/audit/chain-report-json.js';
import { verifyChain } from '../../projections/audit/verify-chain.js';
import { minPositionHeaderSchema, type ReadYourWrites } from '../read-your-writes.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { auditDigestResponseSchema, chainReportSchema } from './seal-schemas.js';

export interface AuditSealDependencies {
  knex: Knex;
  eventStore: EventStore;
  keyStore: KeyStore;
  readYourWrites: ReadYourWrites;
  now(): Date;
}

const tags = ['admin'];
const SEAL = [AUDIT_CHAIN_PROJECTION];

/** Tamper evidence for operators: verify the whole log against the seal, and take a signed digest of it. */
export function auditSealApi(deps: AuditSealDependencies): RouteModule {
  return routeModule('audit-seal', [
    defineRoute({
      method: 'get', path: '/api/admin/audit/verify', tags, auth: 'required',
      summary: 'Recompute the hash chain from the log and compare it with the seal; names the first event that does not match',
      request: { headers: minPositionHeaderSchema },
      responses: { 200: { schema: chainReportSchema, description: 'The verdict (ok false names the first mismatch and its kind)' } },
      errors: [403, 503, 504],
      async handler({ principal, req }) {
        requireOperator(principal);
        await deps.readYourWrites(req, SEAL);
        return { status: 200, body: chainReportJson(await verifyChain(deps.knex, deps.eventStore)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/admin/audit/digest', tags, auth: 'required',
      summary: "A digest of the log as sealed so far, signed with the installation's key (in the JWKS)",
      request: { headers: minPositionHeaderSchema },
      responses: { 200: { schema: auditDigestResponseSchema, description: 'Keep it elsewhere; `chronicle audit verify --digest <file>` proves the log up to it unchanged' } },
      errors: [403, 409, 503, 504],
      async handler({ principal, req }) {
        requireOperator(principal);
        await deps.readYourWrites(req, SEAL);
        const head = await chainHead(deps.knex);
        if (!head) throw new ConflictError('nothing is sealed yet: the log is empty or the seal has not started', { code: 'nothing_sealed' });
        return { status: 200, body: await signAuditDigest(deps.keyStore, head, deps.now()) };
      },
    }),
  ]);
}
