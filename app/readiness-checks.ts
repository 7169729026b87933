import type { ReadinessCheck } from '../api/health-routes.js';
import { pendingMigrations } from '../infra/postgres/migrations.js';
import { reason } from './errors.js';
import type { Services } from './services.js';

/** What GET /readyz asks before a load balancer sends traffic here. */
export function readinessChecks({ knex, eventStore, migrations }: Pick<Services, 'knex' | 'eventStore' | 'migrations'>): ReadinessCheck[] {
  return [
    {
      name: 'postgres',
      async check() {
        try {
          await knex.raw('SELECT 1');
          return { ok: true, detail: 'PostgreSQL reachable' };
        } catch (error) {
          return { ok: false, detail: `PostgreSQL unreachable: ${reason(error)}` };
        }
      },
    },
    {
      name: 'migrations',
      async check() {
        const pending = await pendingMigrations(knex, migrations);
        return pending.length === 0
          ? { ok: true, detail: `${migrations.length} migrations applied` }
          : { ok: false, detail: `pending migrations: ${pending.join(', ')}` };
      },
    },
    { name: 'eventStore', check: () => eventStore.health() },
  ];
}
