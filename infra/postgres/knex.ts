import knexFactory, { type Knex } from 'knex';
import { clientLiveness } from './connection-liveness.js';

export function createKnex(connectionString: string, poolSize = 10): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: 'chronicle', ...clientLiveness() },
    pool: { min: 0, max: poolSize },
    migrations: { tableName: 'knex_migrations' },
  });
}
