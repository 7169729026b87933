import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { clusterTemplateDir } from '../support/cluster-template.js';
import { OwnPostgres } from '../support/own-postgres.js';

/** pg_control starts with the cluster's system identifier (a uint64 in the machine's byte order), which initdb draws anew. */
async function templateSystemIdentifier(): Promise<string> {
  const template = clusterTemplateDir();
  if (!template) throw new Error('no template cluster: run through jest (its global setup makes one)');
  const control = await readFile(path.join(template, 'pg', 'global', 'pg_control'));
  return control.readBigUInt64LE(0).toString();
}

describe('a PostgreSQL of the test\'s own', () => {
  it('is a copy of the run\'s template cluster, not a cluster initdb made for it, and accepts the settings it was started with', async () => {
    const server = await OwnPostgres.start({ wal_writer_delay: '7s' });
    const client = new pg.Client(server.url);
    try {
      await client.connect();
      const { rows } = await client.query<{ system_identifier: string; wal_writer_delay: string; fsync: string }>(
        `SELECT system_identifier::text, current_setting('wal_writer_delay') AS wal_writer_delay, current_setting('fsync') AS fsync FROM pg_control_system()`,
      );
      expect(rows).toEqual([{ system_identifier: await templateSystemIdentifier(), wal_writer_delay: '7s', fsync: 'on' }]);
    } finally {
      await client.end();
      await server.destroy();
    }
  });
});
