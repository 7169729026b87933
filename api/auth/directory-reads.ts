import type { Knex } from 'knex';
import type { ReadYourWrites } from '../read-your-writes.js';

/** What the identity lists read: the tenant directory read model, after X-Min-Position if asked. */
export interface DirectoryReads {
  knex: Knex;
  readYourWrites: ReadYourWrites;
  now(): Date;
}
