import type { FeatureApiContext } from '../../app/feature.js';
import { KeyStore } from '../../auth/tokens/key-store.js';
import { auditChainProjection } from '../../projections/audit/audit-chain-projection.js';
import type { RouteModule } from '../route-module.js';
import { auditSealApi } from './seal-routes.js';

/** Tamper evidence, the audit feature's part: the sealing projection and the operators' verify and digest routes. */
export const sealProjections = [auditChainProjection()];

export function sealRoutes({ services, readYourWrites, runtime }: FeatureApiContext): RouteModule {
  return auditSealApi({ knex: services.knex, eventStore: services.eventStore, keyStore: new KeyStore(services.knex), readYourWrites, now: () => runtime.now() });
}
