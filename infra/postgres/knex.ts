import knexFactory, { type Knex } from 'knex';

export function createKnex(connectionString: string, poolSize = 10): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: 'chronicle' },
    pool: { min: 0, max: poolSize },
    migrations: { tableName: 'knex_migrations' },
  });
}
