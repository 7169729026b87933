import type { FeatureApi, FeatureApiContext } from '../../app/feature.js';
import { KeyStore } from '../../auth/tokens/key-store.js';
import { auditReads } from '../../projections/audit/audit-queries.js';
import { auditApi } from './audit-routes.js';
import { auditSealApi } from './seal-routes.js';

/** Audit's part in a process serving HTTP: the trail's routes, and the operators' verify and digest routes of the seal. */
export function auditHttp({ services, readYourWrites, runtime }: FeatureApiContext): FeatureApi {
  const { knex, eventStore } = services;
  return {
    routes: [
      auditApi({ reads: auditReads(knex), readYourWrites }),
      auditSealApi({ knex, eventStore, keyStore: new KeyStore(knex), readYourWrites, now: () => runtime.now() }),
    ],
  };
}
